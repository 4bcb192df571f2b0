"""``python -m cc312_schedule``."""

import sys

from .cli import main

sys.exit(main())
