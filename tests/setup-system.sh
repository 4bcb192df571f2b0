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

# Printed pages (tests/test_pages.py): headless Chromium opens the HTML pages, prints them to PDF
# and takes screenshots; WeasyPrint needs Noto CJK for Chinese and libharfbuzz-subset0 to subset it
# quickly (without it ~20 s per page instead of ~0.2 s); poppler's pdfinfo, pdffonts, pdftotext and
# pdftoppm check the PDFs (and `make pictures` renders them).
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$missing fonts-noto-cjk"
dpkg -s libharfbuzz-subset0 >/dev/null 2>&1 || missing="$missing libharfbuzz-subset0"
if [ -n "$missing" ]; then
    apt-get update -q
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
