import sys

from dbarchitect.cli import main

sys.exit(main())
