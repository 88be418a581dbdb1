# One command for each job; see README.md. `make setup` first: it makes .venv, which every
# other target uses (PYTHON=python make ... to use the active Python instead).
VENV ?= .venv
PYTHON ?= $(VENV)/bin/python

.PHONY: setup lock all notebooks report test lab submission clean-sweeps

setup:  ## .venv with every package pinned by requirements-lock.txt (Python 3.11)
	python3 -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -r requirements-lock.txt
	@echo "setup: $(VENV) ready; next: make all (or make lab)"

lock:  ## rewrite requirements-lock.txt from the environment (after changing requirements.txt)
	$(PYTHON) -m pip install -q -r requirements.txt
	( echo "# Every package of the environment, pinned: what \`make setup\` and CI install (pip install -r"; \
	  echo "# requirements-lock.txt). Regenerate after changing requirements.txt: make lock"; \
	  $(PYTHON) -m pip freeze --all | grep -v '^pip=' ) > requirements-lock.txt

all:  ## rebuild every model, execute the four notebooks in place, then report.pdf
	@start=$$(date +%s); \
	$(PYTHON) -m signopt.run_notebooks && $(PYTHON) -m signopt.report && \
	echo "make all: $$(( $$(date +%s) - start )) s"

notebooks:  ## execute q1..q4 in place, in order (the list is signopt/deliverables.py)
	$(PYTHON) -m signopt.run_notebooks

report:  ## report.pdf, the README's results table and q2/q3's answer cells, from models/results.json
	$(PYTHON) -m signopt.report

test:  ## the test suite
	$(PYTHON) -m pytest

lab:  ## open the notebooks in JupyterLab, from the same environment (as root: make lab LAB_ARGS=--allow-root)
	$(PYTHON) -m jupyter lab $(LAB_ARGS)

submission:  ## submission.zip: notebooks, models and sweeps, report, README, Makefile, requirements, package, tests, data
	$(PYTHON) -m signopt.submission submission.zip

clean-sweeps:  ## forget the sweeps' stored results (not their timings), so the next run redoes them
	rm -rf models/sweeps
