#!/bin/sh
# Installs the system programs that some tests drive. Run from the repository root, as root
# (CI on Debian; `make test` runs it). Kept as one script so `make test` and CI install the same.
set -eu

# calcurse (Debian package): a plain calendar client; tests/test_ics_clients.py imports our .ics.
if ! command -v calcurse >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q calcurse
fi

# khal (PyPI) in a virtual environment of its own (.venv-khal, git-ignored), so its
# dependencies never mix with the package's.
if [ ! -x .venv-khal/bin/khal ]; then
    python3 -m venv .venv-khal
    .venv-khal/bin/python -m pip install -q khal
fi

# LibreOffice Calc, headless (Debian package): tests/test_xlsx_libreoffice.py opens the
# coordinators' workbook in a real spreadsheet program and converts it to CSV and PDF.
if ! command -v soffice >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libreoffice-calc-nogui
fi

# vdirsyncer (PyPI) in its own virtual environment (.venv-vdirsyncer, git-ignored): the syncing
# client of tests/test_live_clients.py (CalDAV from Radicale, feeds over HTTP, into khal).
if [ ! -x .venv-vdirsyncer/bin/vdirsyncer ]; then
    python3 -m venv .venv-vdirsyncer
    .venv-vdirsyncer/bin/python -m pip install -q vdirsyncer
fi

# nginx (Debian package): serves the feed folder in tests/test_live_clients.py with the
# location block of docs/nurses.md.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light
fi
