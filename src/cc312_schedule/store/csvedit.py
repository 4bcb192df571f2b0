"""Entries written into ``visits.csv`` and ``decisions.csv``, byte for byte.

Existing rows keep their bytes (line endings, quoting, a byte-order mark); new rows are
appended; an amended row, or one given a note, is rewritten in place.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import functools
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from ..core.errors import UsageError
from ..core.fileio import StagedFiles, write_atomic
from .entry_values import Amendment, EntryPlan
from .study import Decision, RecordedVisit, Study, load_study

__all__ = ["AUDIT_COLUMNS", "DECISIONS_HEADER", "VISITS_HEADER", "write_entries"]

#: visits.csv columns added (at the end) the first time a recorded visit is amended.
AUDIT_COLUMNS = ("amended_from", "amended_on", "amendment_note")
VISITS_HEADER = ("subject_id", "visit", "actual_date", "status", "note")
DECISIONS_HEADER = ("subject_id", "decided_on", "action", "regimen", "weeks", "until",
                    "investigator", "rationale")


def write_entries(folder: str | Path, plan: EntryPlan, *,
                  reload: Callable[[], Study] | None = None) -> EntryPlan:
    """Write ``plan``'s changes to ``visits.csv`` / ``decisions.csv`` (caller holds the lock).

    Existing rows keep their bytes; new rows are appended; an amended row is rewritten in
    place with its old values in the audit columns, a row given a note is rewritten in place.
    A column a value needs that the header lacks (``note``, ``rationale``, the audit columns...)
    is added at the end of the header, and every existing row gets an empty cell for it.
    Both files are staged and renamed together (:class:`~.fileio.StagedFiles`); if the result
    does not load, both are put back as they were. ``reload`` reads the study written (default
    :func:`~.study.load_study`; the desk's cache reads it and keeps it for its pages).
    """

    root = Path(folder)
    vpath, dpath = root / "visits.csv", root / "decisions.csv"
    old_v = vpath.read_bytes() if vpath.exists() else None
    old_d = dpath.read_bytes() if dpath.exists() else None
    new_v = _edit_visits(old_v, plan.added_visits, plan.amendments, plan.added_notes)
    new_d = _append_rows(old_d, DECISIONS_HEADER, [_decision_row(d) for d in plan.added_decisions])
    changed = [(path, old, new) for path, old, new in ((dpath, old_d, new_d), (vpath, old_v, new_v))
               if new != old and new is not None]
    written: list[tuple[Path, bytes | None]] = []
    try:
        with StagedFiles() as files:  # both files renamed together, or neither
            for path, _, new in changed:
                files.stage(path, [new])
            files.commit()
        written = [(path, old) for path, old, _ in changed]
        (reload or (lambda: load_study(root)))()
    except BaseException as exc:
        for path, old in written:  # put back what was replaced; the rest was never touched
            try:
                if old is None:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                else:
                    write_atomic(path, old)
            except OSError as undo:
                raise UsageError(f"cannot write, and cannot put the file back: {undo.strerror}",
                                 path=path, hint="it holds the new rows: check it, free some "
                                 "space and run 'cc312-schedule check'") from None
        if isinstance(exc, OSError):
            what = exc.strerror or str(exc)
            hint = ("free some space on that disk, then run the command again"
                    if exc.errno in (errno.ENOSPC, errno.EDQUOT) else
                    "check that the study folder and its files are writable")
            raise UsageError(f"cannot write: {what}; nothing was changed",
                             path=exc.filename or root, hint=hint) from None
        raise
    return replace(plan, applied=True)


def _decision_row(d: Decision) -> dict[str, str]:
    return {"subject_id": d.subject_id, "decided_on": d.decided_on.isoformat(),
            "action": d.action.value, "regimen": d.regimen or "",
            "weeks": str(d.weeks) if d.weeks is not None else "",
            "until": d.until.isoformat() if d.until else "",
            "investigator": d.investigator, "rationale": d.rationale}


def _visit_row(v: RecordedVisit) -> dict[str, str]:
    return {"subject_id": v.subject_id, "visit": v.visit,
            "actual_date": v.actual_date.isoformat() if v.actual_date else "",
            "status": v.status.value, "note": v.note}


_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class _CsvText:
    """A CSV file as text: its header, its records with their physical line spans."""

    def __init__(self, raw: bytes | None, default_header: Sequence[str]) -> None:
        text = raw.decode("utf-8-sig") if raw else ""
        self.bom = bool(raw and raw.startswith(b"\xef\xbb\xbf"))
        self.newline = "\r\n" if "\r\n" in text else "\n"
        # only \n, \r\n and \r end a line (as for the loader): a note keeps \x85 and U+2028
        self.lines = _LINES.findall(text)
        if self.lines and not self.lines[-1].endswith(("\n", "\r")):
            self.lines[-1] += self.newline
        if not self.lines:
            self.lines = [self.format(list(default_header))]
        self.header = [h.strip() for h in next(csv.reader(self.lines))]

    @functools.cached_property
    def records(self) -> list[tuple[int, int, list[str]]]:
        """(first line, end line, fields) of every record after the header: read only when
        asked (an edit in place, a column added), not for rows only appended."""
        reader = csv.reader(self.lines)
        next(reader)
        out: list[tuple[int, int, list[str]]] = []
        while True:
            start = reader.line_num
            try:
                row = next(reader)
            except StopIteration:
                return out
            out.append((start, reader.line_num, row))

    def format(self, fields: Sequence[str]) -> str:
        # written with "\r\n" so that a field holding either \r or \n is quoted (the writer
        # quotes only its own terminator's characters: a lone \r went out bare and came back
        # as a line break), then ended with the file's own line ending
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow(fields)
        return out.getvalue()[:-2] + self.newline

    def row(self, values: Mapping[str, str]) -> str:
        return self.format([values.get(h, "") for h in self.header])

    def ensure_columns(self, columns: Sequence[str]) -> None:
        """Add ``columns`` missing from the header at its end; existing rows get empty cells
        (a comma before their line ending; their bytes are otherwise kept)."""
        missing = [c for c in columns if c not in self.header]
        if not missing:
            return
        records = self.records  # read before the header line changes
        self.header += missing
        self.lines[0] = self.format(self.header)
        for _start, end, fields in records:
            if not fields:
                continue  # a blank line stays blank
            last = self.lines[end - 1]
            body = last.rstrip("\r\n")
            self.lines[end - 1] = body + "," * len(missing) + last[len(body):]

    def ensure_values(self, canonical: Sequence[str], rows: Sequence[Mapping[str, str]]) -> None:
        """Add the columns (in ``canonical`` order) that a non-empty value of ``rows`` needs."""
        self.ensure_columns([c for c in canonical if any(r.get(c) for r in rows)])

    def encode(self) -> bytes:
        return ("\ufeff" if self.bom else "").encode() + "".join(self.lines).encode("utf-8")


def _append_rows(raw: bytes | None, header: Sequence[str], rows: Sequence[Mapping[str, str]]) -> bytes | None:
    if not rows:
        return raw
    doc = _CsvText(raw, header)
    doc.ensure_values(header, rows)
    doc.lines.extend(doc.row(r) for r in rows)
    return doc.encode()


def _edit_visits(raw: bytes | None, added: Sequence[RecordedVisit],
                 amendments: Sequence[Amendment], noted: Sequence[RecordedVisit] = ()) -> bytes | None:
    if not added and not amendments and not noted:
        return raw
    doc = _CsvText(raw, VISITS_HEADER)
    new_rows = [_visit_row(v) for v in (*added, *noted, *(a.new for a in amendments))]
    doc.ensure_values(VISITS_HEADER, new_rows)
    if amendments:
        doc.ensure_columns(AUDIT_COLUMNS)
    if amendments or noted:
        idx = {h: i for i, h in enumerate(doc.header)}
        todo = {(a.old.subject_id, a.old.visit): a for a in amendments}
        notes = {(v.subject_id, v.visit): v.note for v in noted}
        for start, end, fields in reversed(doc.records):
            values = {h: (fields[i].strip() if i < len(fields) else "") for h, i in idx.items()}
            key = (values["subject_id"], values["visit"])
            if key in notes:
                values["note"] = notes[key]
                doc.lines[start:end] = [doc.row(values)]
            a = todo.get(key)
            if a is None:
                continue
            old = _visit_row(a.old)
            was = "; ".join(f"{k}={old[k]}" for k in ("status", "actual_date", "note") if old[k])
            values.update(_visit_row(a.new))
            for col, add in (("amended_from", was), ("amended_on", a.on.isoformat()),
                             ("amendment_note", a.reason)):
                values[col] = f"{values[col]} | {add}" if values.get(col) else add
            doc.lines[start:end] = [doc.row(values)]
    doc.lines.extend(doc.row(_visit_row(v)) for v in added)
    return doc.encode()
