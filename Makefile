# Two commands do all set-up on a fresh clone (only python3, pip and make assumed):
#   make run    creates .venv, installs the package, and writes everything for the bundled
#               example study into out/: the plan (csv, json, table), the nurses' calendars
#               (out/ics/*.ics) and the coordinators' workbook (out/plan.xlsx); the same for the
#               Chinese example study (templates/example-study-zh) under out/zh-CN/
#   make test   installs the test dependencies (and the programs the tests drive) and runs every test
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STUDY ?= templates/example-study
STUDY_ZH ?= templates/example-study-zh
OUT ?= out

.PHONY: run test lint golden bench pictures clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

run: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	mkdir -p $(OUT)
	$(BIN)/cc312-schedule check $(STUDY)
	$(BIN)/cc312-schedule plan $(STUDY) --format csv -o $(OUT)/plan.csv
	$(BIN)/cc312-schedule plan $(STUDY) --format json -o $(OUT)/plan.json
	$(BIN)/cc312-schedule plan $(STUDY) --format table -o $(OUT)/plan.txt
	$(BIN)/cc312-schedule ics $(STUDY) -o $(OUT)/ics
	$(BIN)/cc312-schedule xlsx $(STUDY) -o $(OUT)/plan.xlsx
	@echo "wrote $(OUT)/plan.csv $(OUT)/plan.json $(OUT)/plan.txt $(OUT)/ics/ $(OUT)/plan.xlsx"
	# the same example in Chinese (language = "zh-CN"): every output under $(OUT)/zh-CN/
	mkdir -p $(OUT)/zh-CN
	$(BIN)/cc312-schedule check $(STUDY_ZH)
	$(BIN)/cc312-schedule plan $(STUDY_ZH) --format csv -o $(OUT)/zh-CN/plan.csv
	$(BIN)/cc312-schedule plan $(STUDY_ZH) --format json -o $(OUT)/zh-CN/plan.json
	$(BIN)/cc312-schedule plan $(STUDY_ZH) --format table -o $(OUT)/zh-CN/plan.txt
	$(BIN)/cc312-schedule ics $(STUDY_ZH) -o $(OUT)/zh-CN/ics
	$(BIN)/cc312-schedule xlsx $(STUDY_ZH) -o $(OUT)/zh-CN/plan.xlsx
	@echo "wrote the same in Chinese under $(OUT)/zh-CN/"

test: $(BIN)/python
	sh tests/setup-system.sh
	$(BIN)/python -m pip install -q -e '.[test,lint]'
	$(BIN)/python -m pytest -q
	$(BIN)/python -m mypy
	$(BIN)/python -m ruff check src tests benchmarks

# The benchmark of README "Performance" (~20 min; QUICK=1: 100 and 1,000 subjects, ~2 min).
bench: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python benchmarks/run.py $(if $(QUICK),--quick)

# Each page of the example workbooks (English, Chinese) as printed by LibreOffice, as PNGs
# under $(OUT)/pictures/, for a person to look at.
pictures: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python tests/pictures.py $(OUT)/pictures

# Rewrite the golden files from the current code; review the diff before committing.
golden: $(BIN)/python
	$(BIN)/python tests/regenerate_golden.py
	$(BIN)/python tests/test_ics_golden.py

clean:
	rm -rf $(VENV) $(OUT) build dist src/*.egg-info
