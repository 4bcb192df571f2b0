# Two commands do all set-up on a fresh clone (only python3, pip and make assumed):
#   make run    creates .venv, installs the package (pinned by constraints.txt), and writes
#               everything for the bundled example study into out/: the plan (csv, json, table),
#               the nurses' calendars (out/ics/*.ics) and the coordinators' workbook
#               (out/plan.xlsx), subscription feeds under secret names (out/feed/), the nurses' due list (out/due-*.html, out/due.csv), a
#               participant's schedule (out/handout-*), the CDISC USDM schedule
#               (out/cc312-usdm.json) and SDTM datasets (out/sdtm/); the Chinese example study
#               (templates/example-study-zh) in Chinese under out/zh-CN/. It works on a fresh copy of the example, out/example-study, so
#               nothing is written into templates/; `make run STUDY=folder` runs on that folder.
#               Afterwards the tool is .venv/bin/cc312-schedule; `. .venv/bin/activate` once
#               per shell makes the README's `cc312-schedule ...` lines work as written.
#   make test   installs the test dependencies (pinned) and what the tests drive, then runs
#               every test, mypy and ruff. Debian programs (LibreOffice, calcurse, ...) install
#               only as root; without them their tests skip with the reason (in CI they fail).
#   make lock   refreshes constraints.txt after a dependency change (see "Pinned installs").
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out
EXAMPLE := templates/example-study
EXAMPLE_ZH := templates/example-study-zh
STUDY ?= $(OUT)/example-study
HANDOUT_SUBJECT ?= 003

# ---- Pinned installs -------------------------------------------------------------------------
# pyproject.toml keeps the library's ranges (what it works with); constraints.txt pins every
# package, direct and indirect, of the package and its [test] and [lint] extras, resolved for
# Python 3.11 on Linux (CI's), so that a fresh clone installs what was tested: a new icalendar
# or holidays release cannot change the golden calendars or the estimated holidays unnoticed.
# `make run`, `make test` (so CI) and `make bench` install with `pip install -c constraints.txt`.
# tests/test_constraints.py fails when the two files disagree (a dependency without a pin, a pin
# outside its range) or when .venv holds other versions than the pins.
#   make lock                    after adding or changing a dependency in pyproject.toml, or
#                                after merging a branch that did: pins the new packages at their
#                                newest allowed release and keeps every other pin as it is
#   make lock UPGRADE=1          moves every pin to the newest release the ranges allow
#   make lock UPGRADE="icalendar holidays"   moves only those packages
# Then run `make test` and commit pyproject.toml and constraints.txt together. A merge conflict
# inside constraints.txt: take either side (git checkout --theirs constraints.txt), `make lock`.
# The same command pins khal, the calendar client the tests drive from its own venv
# (.venv-khal, tests/setup-system.sh), in tests/khal-constraints.txt, and vdirsyncer, the
# syncing client (.venv-vdirsyncer), in tests/vdirsyncer-constraints.txt.
LOCK := constraints.txt
KHAL_LOCK := tests/khal-constraints.txt
VDIRSYNCER_LOCK := tests/vdirsyncer-constraints.txt
PIP_INSTALL := $(BIN)/python -m pip install -q -c $(LOCK)
LOCK_UPGRADE := $(if $(filter 1,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p)))

.PHONY: run test lint lock golden bench clean pictures cdisc-check serve mutate

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

run: $(BIN)/python
	$(PIP_INSTALL) -e .
	mkdir -p $(OUT)
	$(if $(filter $(OUT)/example-study,$(STUDY)),rm -rf $(STUDY) && cp -R $(EXAMPLE) $(STUDY) && rm -f $(STUDY)/.cc312-*)
	$(BIN)/cc312-schedule check $(STUDY)
	$(BIN)/cc312-schedule plan $(STUDY) --quiet --format csv -o $(OUT)/plan.csv
	$(BIN)/cc312-schedule plan $(STUDY) --quiet --format json -o $(OUT)/plan.json
	$(BIN)/cc312-schedule plan $(STUDY) --quiet --format table -o $(OUT)/plan.txt
	$(BIN)/cc312-schedule ics $(STUDY) -o $(OUT)/ics
	$(BIN)/cc312-schedule xlsx $(STUDY) -o $(OUT)/plan.xlsx
	$(BIN)/cc312-schedule feed $(STUDY) -o $(OUT)/feed
	$(BIN)/cc312-schedule usdm $(STUDY) -o $(OUT)/cc312-usdm.json
	$(BIN)/cc312-schedule sdtm $(STUDY) -o $(OUT)/sdtm
	$(BIN)/cc312-schedule due $(STUDY) --format html -o $(OUT)/due-en.html --language en
	$(BIN)/cc312-schedule due $(STUDY) --format html -o $(OUT)/due-zh-CN.html --language zh-CN
	$(BIN)/cc312-schedule due $(STUDY) --format csv -o $(OUT)/due.csv
	$(BIN)/cc312-schedule handout $(STUDY) $(HANDOUT_SUBJECT) -o $(OUT)/handout-$(HANDOUT_SUBJECT)-en.pdf --language en
	@fc-list :lang=zh-cn family | grep -q . || { echo "make run: no Chinese font is installed (the Chinese PDFs would print boxes): sudo apt install fonts-noto-cjk, or sh tests/setup-system.sh as root" >&2; exit 2; }
	$(BIN)/cc312-schedule handout $(STUDY) $(HANDOUT_SUBJECT) -o $(OUT)/handout-$(HANDOUT_SUBJECT)-zh-CN.pdf --language zh-CN
	$(BIN)/cc312-schedule handout $(STUDY) $(HANDOUT_SUBJECT) -o $(OUT)/handout-$(HANDOUT_SUBJECT)-zh-CN.html --language zh-CN
	@echo "wrote $(OUT)/plan.csv $(OUT)/plan.json $(OUT)/plan.txt $(OUT)/ics/ $(OUT)/plan.xlsx $(OUT)/feed/ $(OUT)/cc312-usdm.json $(OUT)/sdtm/ (study: $(STUDY))"
	@echo "wrote $(OUT)/due-en.html $(OUT)/due-zh-CN.html $(OUT)/due.csv $(OUT)/handout-$(HANDOUT_SUBJECT)-*.pdf|html"
	# the Chinese example study (templates/example-study-zh, language zh-CN), on a fresh copy too:
	# every output in Chinese under $(OUT)/zh-CN/ (its warnings are the English example's: not
	# printed twice)
	rm -rf $(OUT)/zh-CN && mkdir -p $(OUT)/zh-CN && cp -R $(EXAMPLE_ZH) $(OUT)/zh-CN/example-study && rm -f $(OUT)/zh-CN/example-study/.cc312-*
	$(BIN)/cc312-schedule plan $(OUT)/zh-CN/example-study --quiet --format csv -o $(OUT)/zh-CN/plan.csv
	$(BIN)/cc312-schedule plan $(OUT)/zh-CN/example-study --quiet --format json -o $(OUT)/zh-CN/plan.json
	$(BIN)/cc312-schedule plan $(OUT)/zh-CN/example-study --quiet --format table -o $(OUT)/zh-CN/plan.txt
	$(BIN)/cc312-schedule ics $(OUT)/zh-CN/example-study -o $(OUT)/zh-CN/ics
	$(BIN)/cc312-schedule xlsx $(OUT)/zh-CN/example-study -o $(OUT)/zh-CN/plan.xlsx
	$(BIN)/cc312-schedule due $(OUT)/zh-CN/example-study --format html -o $(OUT)/zh-CN/due.html --language zh-CN
	$(BIN)/cc312-schedule handout $(OUT)/zh-CN/example-study $(HANDOUT_SUBJECT) -o $(OUT)/zh-CN/handout-$(HANDOUT_SUBJECT).pdf --language zh-CN
	$(BIN)/cc312-schedule sdtm $(OUT)/zh-CN/example-study -o $(OUT)/zh-CN/sdtm
	@echo "wrote the same for the Chinese example study under $(OUT)/zh-CN/"
	@echo "the tool: $(BIN)/cc312-schedule --help (or '. $(BIN)/activate', then cc312-schedule --help)"

test: $(BIN)/python
	sh tests/setup-system.sh
	$(PIP_INSTALL) -e '.[test,lint]'
	$(BIN)/python -m pytest -q
	$(BIN)/python -m mypy
	$(BIN)/python -m ruff check src tests benchmarks tools

# uv resolves for the target (Python 3.11, Linux) whatever this machine runs; it reads the
# existing constraints.txt and keeps its pins unless told to upgrade.
lock: $(BIN)/python
	$(BIN)/python -m pip install -q 'uv>=0.5'
	$(BIN)/uv pip compile pyproject.toml --extra test --extra lint --python-version 3.11 \
	    --python-platform linux --custom-compile-command 'make lock' $(LOCK_UPGRADE) -o $(LOCK)
	echo khal | $(BIN)/uv pip compile - --python-version 3.11 --python-platform linux \
	    --custom-compile-command 'make lock' $(LOCK_UPGRADE) -o $(KHAL_LOCK)
	echo vdirsyncer | $(BIN)/uv pip compile - --python-version 3.11 --python-platform linux \
	    --custom-compile-command 'make lock' $(LOCK_UPGRADE) -o $(VDIRSYNCER_LOCK)

# The benchmark of docs/development.md "Performance" (~20 min; QUICK=1: 100 and 1,000 subjects, ~2 min).
bench: $(BIN)/python
	$(PIP_INSTALL) -e .
	$(BIN)/python benchmarks/run.py $(if $(QUICK),--quick)

# Mutation check of the engine's rule modules (tools/mutate.py): one-token changes, each run
# against the fast test selection; every survivor is caught by a new test row or written down in
# tools/mutants-equivalent.toml. All ~350 mutants take hours on 2 busy cores: SAMPLE=N draws N
# (SEED, default 19); the score is appended to benchmarks/RESULTS.md.
SAMPLE ?= 60
SEED ?= 19
mutate: $(BIN)/python
	$(BIN)/python tools/mutate.py --sample $(SAMPLE) --seed $(SEED) --record benchmarks/RESULTS.md

# Rewrite the golden files from the current code; review the diff before committing.
golden: $(BIN)/python
	$(BIN)/python tests/regenerate_golden.py
	$(BIN)/python tests/test_ics_golden.py

# PNG pictures of every printed page kind, for a person to look at (out/pictures/, not in the
# repository): the due list and the participant's schedule as headless Chromium shows their
# HTML, the schedule's WeasyPrint PDF page by page (pdftoppm), and every page of the English
# and Chinese workbooks as LibreOffice Calc prints them. Needs `make run` first.
pictures: run
	rm -rf $(OUT)/pictures
	$(BIN)/python tests/pictures.py $(OUT) $(OUT)/pictures
	$(BIN)/python tests/xlsx_pictures.py $(OUT) $(OUT)/pictures
	$(BIN)/python tests/desk_pictures.py $(OUT)/pictures/desk

# The site desk (docs/desk.md) on a fresh copy of the Chinese example study (out/desk-study),
# with a demo user per role (demo-nurse, demo-investigator, demo-coordinator, demo-monitor)
# sharing one new random password, printed here. http://127.0.0.1:8312/ ; Ctrl-C stops it.
# DESK_TODAY=2026-11-30 pins the site's today (the example's data end there); PORT=8312.
DESK_STUDY ?= $(OUT)/desk-study
DESK_TODAY ?= 2026-11-30
PORT ?= 8312
serve: $(BIN)/python
	$(PIP_INSTALL) -e .
	rm -rf $(DESK_STUDY) && mkdir -p $(OUT) && cp -R $(EXAMPLE_ZH) $(DESK_STUDY) && rm -f $(DESK_STUDY)/.cc312-*
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(12))" > $(DESK_STUDY).password
	for pair in nurse:王护士 investigator:李医生 coordinator:张协调员 monitor:赵监查员; do \
	    role=$${pair%%:*}; $(BIN)/cc312-schedule users add $(DESK_STUDY) demo-$$role --role $$role \
	        --password-file $(DESK_STUDY).password --display-name "$${pair#*:}" || exit 2; done
	@echo "demo users: demo-nurse demo-investigator demo-coordinator demo-monitor"
	@echo "password:   $$(cat $(DESK_STUDY).password)"
	$(BIN)/cc312-schedule serve $(DESK_STUDY) --port $(PORT) $(if $(DESK_TODAY),--today $(DESK_TODAY))

clean:
	rm -rf $(VENV) $(OUT) build dist src/*.egg-info

# CDISC's own tools on the example's exports (usdm4 and CORE, Python 3.12 in .venv-cdisc): the
# results go to benchmarks/CDISC-RESULTS.md. CORE runs with CORE_REPO=<a checkout of
# cdisc-org/cdisc-rules-engine with its library caches>; see tools/cdisc_check.py.
cdisc-check: $(BIN)/python
	$(PIP_INSTALL) -e .
	$(BIN)/python tools/cdisc_check.py $(if $(CORE_REPO),--core-repo $(CORE_REPO))
