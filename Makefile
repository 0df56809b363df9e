# dbarchitect — two commands on a fresh machine:  make demo   and   make test
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test sysdeps install bench clean

demo: sysdeps install  ## start a throwaway PostgreSQL (and MariaDB, when installed) with a sample schema and show every tool over MCP
	$(PY) -m dbarchitect demo

test: sysdeps install  ## the whole suite against a real PostgreSQL 15 and MariaDB started by the tests
	$(PY) -m pytest -q

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

sysdeps:  ## PostgreSQL 15 server + HypoPG, MariaDB server + client (apt-get; says what to install when not root)
	@scripts/install-system-deps.sh

bench: sysdeps install  ## benchmarks (not part of the test suite); see bench/README.md
	$(PY) bench/snapshot/run.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
