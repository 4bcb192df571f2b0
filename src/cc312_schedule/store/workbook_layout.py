"""The coordinators' workbook as a file format: what its writer (:mod:`..reports.xlsx`) and
its reader (:mod:`..entries.workbook_read`) agree on, kept below both.

The sheets' visible names and column headers are texts of the catalogue (``messages``
``xlsx.sheet.<id>``, ``xlsx.col.<id>``) in the workbook's language; the reader finds them by
those texts in either language. What is language-independent lives here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Final

__all__ = ["ENTRY_STATUSES", "EXPORT_CELL_LIMIT", "EXPORT_COLUMNS", "EXPORT_ENTRIES",
           "EXPORT_SHEET", "SHEETS", "clean_text", "pack_exported", "unpack_exported"]

#: Sheet ids, in workbook order; the names are ``messages`` ``xlsx.sheet.<id>``.
SHEETS: Final = ("overview", "visits", "decisions", "timeline", "warnings")
#: Statuses a coordinator may enter on the Visits sheet (the dropdown), as ``RecordStatus`` values.
ENTRY_STATUSES: Final = ("done", "missed")
#: The hidden, protected sheet recording what each Visits row's entry cells held when exported
#: (language-independent name and headers; only the Visits rows whose entry cells were given
#: something, a row not listed had them empty; all values text: the actual date as
#: ``YYYY-MM-DD``, the status as its ``RecordStatus`` value, the note as written).
#:
#: Two row forms, read in any mix (issue 22: the record was a fifth of the cells written):
#: a subject's rows packed into :data:`EXPORT_ENTRIES` (its subject in the first column, the
#: others empty; see :func:`pack_exported`), and one row per Visits row in the
#: :data:`EXPORT_COLUMNS` (the only form before 2026-12-05; still written for an entry too
#: long to pack into one cell, and still read: workbooks handed out before are imported).
EXPORT_SHEET: Final = "cc312-exported"
EXPORT_COLUMNS: Final = ("subject_id", "visit", "exported_actual_date", "exported_status",
                         "exported_note")
EXPORT_ENTRIES: Final = "exported_entries"
#: Excel's limit on a cell's text: a packed cell stays within it.
EXPORT_CELL_LIMIT: Final = 32_767

_Entry = tuple[str, str, str, str]  # (visit, actual date, status, note)


#: made once: ``json.dumps`` with options makes an encoder per call (a workbook packs ~20,000)
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _packed(entries: list[_Entry]) -> str:
    return _ENCODER.encode(entries)


def pack_exported(entries: Iterable[_Entry]) -> Iterator[str | _Entry]:
    """One subject's exported entries as the cells of :data:`EXPORT_ENTRIES`: a JSON array of
    ``[visit, actual date, status, note]`` arrays, as many entries to a cell as fit within
    :data:`EXPORT_CELL_LIMIT`; an entry that alone does not fit is given back as it is (for a
    row of the :data:`EXPORT_COLUMNS`).

    >>> list(pack_exported([("W1D1", "2026-03-02", "done", ""), ("W2D1", "", "missed", 'a "b"')]))
    ['[["W1D1","2026-03-02","done",""],["W2D1","","missed","a \\\\"b\\\\""]]']
    >>> [type(c).__name__ for c in pack_exported([("W1D1", "", "", "x" * EXPORT_CELL_LIMIT)])]
    ['tuple']
    """
    cell: list[_Entry] = []
    size = 0  # len(_packed(cell))
    for entry in entries:
        one = len(_packed([entry]))  # in a cell of its own; beside others: the brackets less, a comma more
        if one > EXPORT_CELL_LIMIT:
            yield entry
            continue
        if cell and size + one - 1 > EXPORT_CELL_LIMIT:
            yield _packed(cell)
            cell = []
        size = size + one - 1 if cell else one
        cell.append(entry)
    if cell:
        yield _packed(cell)


def unpack_exported(text: str) -> list[_Entry]:
    """The entries of a cell :func:`pack_exported` wrote; :class:`ValueError` when it is not one.

    >>> unpack_exported('[["W1D1","2026-03-02","done",""]]')
    [('W1D1', '2026-03-02', 'done', '')]
    >>> unpack_exported('[["W1D1"]]')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the hidden cc312-exported sheet is damaged: an exported_entries cell is not ...
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, list) and all(
            isinstance(e, list) and len(e) == 4 and all(isinstance(v, str) for v in e)
            for e in data):
        return [(e[0], e[1], e[2], e[3]) for e in data]
    raise ValueError(f"the hidden {EXPORT_SHEET} sheet is damaged: an {EXPORT_ENTRIES} cell is "
                     "not a list of [visit, actual date, status, note]")

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
