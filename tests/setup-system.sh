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

# poppler-utils (pdftotext, pdffonts, pdftoppm) and Noto CJK fonts (Debian packages): the
# workbook's PDF, printed by LibreOffice, is read back in tests/test_xlsx_print.py; the CJK
# font makes the Chinese workbook print as text, not boxes.
if ! command -v pdftotext >/dev/null 2>&1 || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends poppler-utils fonts-noto-cjk
fi
