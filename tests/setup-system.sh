#!/bin/sh
# Installs the system programs that some tests drive. Run from the repository root (`make test`
# runs it; so does CI, as root on Debian). Kept as one script so `make test` and CI install the
# same. Debian packages go through apt_install below: as root it runs apt-get (`apt-get update`
# once); without root or apt-get it says what it skipped and goes on, so `make test` still runs
# every other test (the tests needing a skipped program skip with the reason, see
# tests/conftest.py require_program) — except in CI (CI set), where a missing program is an error.
set -eu

in_ci() {  # CI set to anything but "", 0, false or no (as tests/conftest.py in_ci)
    case "$(printf '%s' "${CI:-}" | tr 'A-Z' 'a-z')" in
        ''|0|false|no) return 1 ;;
        *) return 0 ;;
    esac
}

apt_updated=
apt_install() {  # apt_install PACKAGE...
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        if [ -z "$apt_updated" ]; then
            apt-get update -q
            apt_updated=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
    elif in_ci; then
        echo "setup-system: CI needs $* installed, but this is not root with apt-get" >&2
        exit 1
    else
        echo "setup-system: not root (or no apt-get): skipped installing $*;" \
             "the tests that need it will be skipped (as root: sh tests/setup-system.sh)" >&2
    fi
}

# calcurse (Debian package): a plain calendar client; tests/test_ics_clients.py imports our .ics.
if ! command -v calcurse >/dev/null 2>&1; then
    apt_install calcurse
fi

# khal (PyPI) in a virtual environment of its own (.venv-khal, git-ignored), so its
# dependencies never mix with the package's; pinned by tests/khal-constraints.txt (make lock).
if [ ! -x .venv-khal/bin/khal ]; then
    python3 -m venv .venv-khal
    .venv-khal/bin/python -m pip install -q -c tests/khal-constraints.txt khal
fi

# LibreOffice Calc, headless (Debian package): tests/test_xlsx_libreoffice.py opens the
# coordinators' workbook in a real spreadsheet program and converts it to CSV and PDF.
if ! command -v soffice >/dev/null 2>&1; then
    apt_install libreoffice-calc-nogui
fi

# Printed pages (tests/test_pages.py, and the workbook's print in tests/test_xlsx_print.py): headless Chromium opens the HTML pages, prints them to PDF
# and takes screenshots; WeasyPrint needs Noto CJK for Chinese and libharfbuzz-subset0 to subset it
# quickly (without it ~20 s per page instead of ~0.2 s); poppler's pdfinfo, pdffonts, pdftotext and
# pdftoppm check the PDFs (and `make pictures` renders them).
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$missing fonts-noto-cjk"
dpkg -s libharfbuzz-subset0 >/dev/null 2>&1 || missing="$missing libharfbuzz-subset0"
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    apt_install $missing
fi

# vdirsyncer (PyPI) in its own virtual environment (.venv-vdirsyncer, git-ignored): the syncing
# client of tests/test_live_clients.py and tests/test_issue_24_live_calendars.py (CalDAV from
# Radicale and Xandikos, feeds over HTTP, into khal); pinned by tests/vdirsyncer-constraints.txt.
if [ ! -x .venv-vdirsyncer/bin/vdirsyncer ]; then
    python3 -m venv .venv-vdirsyncer
    .venv-vdirsyncer/bin/python -m pip install -q -c tests/vdirsyncer-constraints.txt vdirsyncer
fi

# nginx (Debian package): serves the feed folder in tests/test_live_clients.py with the
# location block of docs/nurses.md.
if ! command -v nginx >/dev/null 2>&1; then
    apt_install nginx-light
fi

# usdm4 and CDISC CORE (PyPI; both need Python 3.12) in their own virtual environment
# (.venv-cdisc, git-ignored), pinned by tools/cdisc-lock.txt: tests/test_usdm4.py runs usdm4 on
# the USDM export. tools/cdisc_check.py finds Python 3.12 ($CDISC_PYTHON, python3.12 on PATH, or
# pyenv's). After a change of the lock: `make cdisc-check` reinstalls (or remove .venv-cdisc).
if [ ! -x .venv-cdisc/bin/python ]; then
    if ! python3 tools/cdisc_check.py --venv-only; then
        if in_ci; then
            echo "setup-system: CI needs .venv-cdisc (Python 3.12 with tools/cdisc-lock.txt)" >&2
            exit 1
        fi
        echo "setup-system: no .venv-cdisc: tests/test_usdm4.py will be skipped" >&2
    fi
fi
