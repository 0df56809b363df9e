import sys

from dbarchitect.cli import main

if __name__ == "__main__":  # not when a worker process loads this module (live/offload.py)
    sys.exit(main())
