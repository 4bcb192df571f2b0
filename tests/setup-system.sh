#!/bin/sh
# Installs the system programs that some tests drive (none yet for the core engine).
# Kept as one script so `make test` and CI install exactly the same things.
set -eu
exit 0
