"""The coordinators' workbook as a file format: what its writer (:mod:`..reports.xlsx`) and
its reader (:mod:`..entries.workbook_read`) agree on, kept below both.

The sheets' visible names and column headers are texts of the catalogue (``messages``
``xlsx.sheet.<id>``, ``xlsx.col.<id>``) in the workbook's language; the reader finds them by
those texts in either language. What is language-independent lives here.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["ENTRY_STATUSES", "EXPORT_COLUMNS", "EXPORT_SHEET", "SHEETS", "clean_text"]

#: Sheet ids, in workbook order; the names are ``messages`` ``xlsx.sheet.<id>``.
SHEETS: Final = ("overview", "visits", "decisions", "timeline", "warnings")
#: Statuses a coordinator may enter on the Visits sheet (the dropdown), as ``RecordStatus`` values.
ENTRY_STATUSES: Final = ("done", "missed")
#: The hidden, protected sheet recording what each Visits row's entry cells held when exported
#: (language-independent name and headers; one row per Visits row whose entry cells were given
#: something, a row not listed had them empty; all values text: the actual date as
#: ``YYYY-MM-DD``, the status as its ``RecordStatus`` value, the note as written).
EXPORT_SHEET: Final = "cc312-exported"
EXPORT_COLUMNS: Final = ("subject_id", "visit", "exported_actual_date", "exported_status",
                         "exported_note")

#: Characters XML 1.0 cannot carry (tab, line feed and carriage return it can).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(text: str) -> str:
    """``text`` as the workbook stores it: characters XML cannot carry become U+FFFD.

    The import compares recorded text with a cell through this, so an untouched note with a
    control character is not a change.

    >>> clean_text("a\\x01b"), clean_text("tab\\tkept")
    ('a\ufffdb', 'tab\\tkept')
    """
    if text.isprintable():  # the common case, without a regular expression
        return text
    return _ILLEGAL_XML.sub("\ufffd", text)
