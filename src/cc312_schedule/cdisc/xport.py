"""SAS transport (XPORT) **version 5** files, the format regulators accept, via pyreadstat.

pyreadstat's ``write_xport`` writes version 8 unless told otherwise, rejects names over 8
characters, but silently writes character values over 200 bytes, which version 5 does not allow
(SAS Usage Note 46944). So the limits are enforced here, before anything is written:

* dataset and variable names: 1-8 characters, letters/digits, starting with a letter;
* labels: at most 40 characters;
* character values: at most 200 bytes, ASCII only (a transport v5 file records no encoding).

A value that does not fit is reported with the file and line it came from and the variable:

>>> from cc312_schedule.cdisc.sdtm import Dataset, Variable
>>> from cc312_schedule.store.study import SourceRef
>>> ds = Dataset(name="SV", label="Subject Visits", variables=(Variable(name="SVREASOC",
...              label="Reason for Occur Value"),), rows=(("发烧",),),
...              sources=({"*": SourceRef(path="visits.csv", line=7)},))
>>> for e in xpt_problems(ds): print(e.location, e.key, e.value, e.message)
visits.csv:7 SV.SVREASOC 发烧 not ASCII, which a SAS transport v5 file cannot carry

The file's header records carry a creation time; it is set to ``generated_at`` (not the clock),
so the same study gives the same bytes.
"""

from __future__ import annotations

import math
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.errors import StudyFileError
from .datasets import Dataset

__all__ = ["MAX_CHAR_BYTES", "MAX_LABEL", "MAX_NAME", "to_xpt", "xpt_problems"]

MAX_NAME = 8
MAX_LABEL = 40
MAX_CHAR_BYTES = 200
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,7}")
_STAMP = re.compile(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d")
_FIXES = {  # what to change, by variable, when a value is too long
    "USUBJID": "shorten the subject id (USUBJID is STUDYID-SUBJID) or give a shorter --studyid",
    "STUDYID": "give a shorter --studyid",
}
_HEADER_END = 7 * 80  # library and member header records: where the timestamps are
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def xpt_problems(ds: Dataset) -> list[StudyFileError]:
    """Every value or name of ``ds`` that a transport v5 file cannot hold, located."""
    problems: list[StudyFileError] = []
    if not _NAME.fullmatch(ds.name):
        problems.append(StudyFileError("dataset name must be 1-8 letters or digits", key=ds.name,
                                       value=ds.name))
    if len(ds.label) > MAX_LABEL:
        problems.append(StudyFileError(f"dataset label over {MAX_LABEL} characters", key=ds.name,
                                       value=ds.label))
    for j, v in enumerate(ds.variables):
        key = f"{ds.name}.{v.name}"
        if not _NAME.fullmatch(v.name):
            problems.append(StudyFileError("variable name must be 1-8 letters or digits", key=key,
                                           value=v.name))
        if len(v.label) > MAX_LABEL or not v.label.isascii():
            problems.append(StudyFileError(f"variable label must be ASCII, at most {MAX_LABEL} "
                                           "characters", key=key, value=v.label))
        if not v.is_char:
            continue
        for i, row in enumerate(ds.rows):
            value = row[j]
            if value is None:
                continue
            src = ds.source_of(i, v.name)
            where = {"path": src.path, "line": src.line, "key": key, "value": value}
            if not str(value).isascii():
                problems.append(StudyFileError(
                    "not ASCII, which a SAS transport v5 file cannot carry",
                    hint="write it in English (ASCII), or export with --format both "
                    "(the default: the .xpt then holds a placeholder for a free text, the .json "
                    "the text) or --format json",
                    **where))
            elif len(str(value).encode("ascii")) > MAX_CHAR_BYTES:
                problems.append(StudyFileError(
                    f"{len(str(value))} characters, over the {MAX_CHAR_BYTES}-byte limit of a SAS "
                    "transport v5 character value",
                    hint=_FIXES.get(v.name, f"shorten it to {MAX_CHAR_BYTES} characters or fewer"),
                    **where))
    return problems


def to_xpt(ds: Dataset, *, generated_at: datetime) -> bytes:
    """``ds`` as a SAS transport v5 file (bytes). Check :func:`xpt_problems` first."""
    import pandas as pd
    import pyreadstat

    columns: dict[str, Any] = {}
    for j, v in enumerate(ds.variables):
        values = [row[j] for row in ds.rows]
        if v.is_char:
            columns[v.name] = pd.Series(["" if x is None else str(x) for x in values],
                                        dtype=object)
        else:
            columns[v.name] = pd.Series([math.nan if x is None else float(x) for x in values],
                                        dtype="float64")
    frame = pd.DataFrame(columns, columns=list(ds.names))
    with tempfile.TemporaryDirectory(prefix="cc312-xpt-") as tmp:
        path = Path(tmp) / f"{ds.name.lower()}.xpt"
        pyreadstat.write_xport(frame, str(path), file_label=ds.label,
                               column_labels=[v.label for v in ds.variables],
                               table_name=ds.name, file_format_version=5)
        data = path.read_bytes()
    return _stamp(data, generated_at)


def _stamp(data: bytes, generated_at: datetime) -> bytes:
    """Replace the header records' creation/modification times by ``generated_at``."""
    g = generated_at  # ddMMMyy:hh:mm:ss, month names in English whatever the locale
    stamp = (f"{g.day:02d}{_MONTHS[g.month - 1]}{g.year % 100:02d}:"
             f"{g.hour:02d}:{g.minute:02d}:{g.second:02d}").encode("ascii")
    head, rest = data[:_HEADER_END], data[_HEADER_END:]
    head = _STAMP.sub(stamp, head)
    return head + rest
