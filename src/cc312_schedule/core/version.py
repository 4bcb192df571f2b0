"""The package's version, from its installed metadata (``pyproject.toml`` ``version``): one
source for ``--version``, ``cc312_schedule.__version__`` and the version the exports name
(USDM ``systemVersion``, Dataset-JSON ``sourceSystem``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["VERSION"]

try:
    VERSION: str = version("cc312-schedule")
except PackageNotFoundError:  # a source tree on sys.path without an install
    VERSION = "0+unknown"
