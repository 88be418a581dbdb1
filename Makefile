# One command for each job; see README.md.
PYTHON ?= python
NOTEBOOKS = q1.ipynb q2.ipynb q3.ipynb q4.ipynb

.PHONY: all notebooks report test submission clean-sweeps

all:  ## rebuild every model, execute the four notebooks in place, then report.pdf
	@start=$$(date +%s); \
	$(PYTHON) -m signopt.run_notebooks $(NOTEBOOKS) && $(PYTHON) -m signopt.report && \
	echo "make all: $$(( $$(date +%s) - start )) s"

notebooks:
	$(PYTHON) -m signopt.run_notebooks $(NOTEBOOKS)

report:  ## report.pdf and the README's results table, from models/results.json
	$(PYTHON) -m signopt.report

test:  ## the test suite (SIGNOPT_DATA_DIR: folder of the Kaggle CSVs, default data/)
	$(PYTHON) -m pytest

submission:  ## the zip the homework asks for: notebooks, models, report, README, requirements, package; no data
	rm -f submission.zip
	zip -r submission.zip $(NOTEBOOKS) models report.pdf README.md requirements.txt signopt \
		-x '*__pycache__*' -x 'models/sweeps/*'
	@echo "wrote submission.zip"

clean-sweeps:  ## forget the sweeps' stored results, so the next run redoes them
	rm -rf models/sweeps
