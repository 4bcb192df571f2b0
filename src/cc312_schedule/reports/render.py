"""Plans rendered as text: CSV, JSON and a human-readable table. Rendering returns strings."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import date
from typing import Any

from ..core.l10n import weekday
from ..core.messages import MESSAGES, message
from ..core.model import EventKind, EventStatus, StudyPlan, SubjectPlan
from .frame import PLAN_COLUMNS, event_row

__all__ = ["spreadsheet_safe", "to_csv", "to_json", "to_table"]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def spreadsheet_safe(text: str) -> str:
    """``text`` that a spreadsheet will not run as a formula (OWASP's CSV-injection advice):
    text starting with ``= + - @``, a tab or a carriage return gets a leading ``'``; numbers
    stay numbers.

    >>> print(spreadsheet_safe('=HYPERLINK("http://x")'), spreadsheet_safe("-3"), spreadsheet_safe("QW"))
    '=HYPERLINK("http://x") -3 QW
    """
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def to_csv(plan: StudyPlan, lang: str = "en", *, safe_for_spreadsheets: bool = False) -> str:
    """The plan as CSV, one row per event, columns :data:`PLAN_COLUMNS` (dates ISO); the
    reason and procedures in ``lang`` (the study's language), the reason's id and fields too.

    The CSV is data for tools: values are written as they are. With
    ``safe_for_spreadsheets=True`` (CLI ``--safe-for-spreadsheets``), text a spreadsheet would
    run as a formula gets a leading ``'`` (see :func:`spreadsheet_safe`).
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PLAN_COLUMNS)
    for p in plan:
        for e in p.events:
            row = event_row(p, e, lang)
            fields = [_cell(row[c]) for c in PLAN_COLUMNS]
            if safe_for_spreadsheets:
                fields = [spreadsheet_safe(f) for f in fields]
            if any("\r" in f for f in fields):
                one = io.StringIO()  # quote a lone \r too (the writer quotes only "\n" here)
                csv.writer(one, lineterminator="\r\n").writerow(fields)
                buf.write(one.getvalue()[:-2] + "\n")
            else:
                w.writerow(fields)
    return buf.getvalue()


def _summary(p: SubjectPlan) -> dict[str, Any]:
    return {
        "subject_id": p.subject_id,
        "cohort": p.subject.cohort,
        "dose_level": p.subject.dose_level,
        "first_dose_date": p.subject.first_dose_date,
        "outcome": p.outcome.value,
        "state": p.state.value if p.state else None,
        "decision_due": p.decision_due,
        "decision_due_visit": p.decision_due_visit,
        "last_dose_date": p.last_dose_date,
        "cap_date": p.cap_date,
        "contraception_end": p.contraception_end,
        "doses_done": p.count(EventStatus.DONE),
        "doses_missed": p.count(EventStatus.MISSED),
        "doses_planned": p.doses_to_come,
        "doses_overdue": p.count(EventStatus.OVERDUE),
    }


def _provisional(p: SubjectPlan) -> dict[str, Any] | None:
    """The values derived from provisional doses (``--assume``), kept apart from the summary."""
    v = p.provisional
    if v is None:
        return None
    return {"regimen": v.regimen, "doses_planned": v.doses_planned,
            "last_dose_date": v.last_dose_date, "eot": v.eot_date,
            "follow_up_end": v.follow_up_end, "contraception_end": v.contraception_end}


def to_json(plan: StudyPlan, lang: str = "en") -> str:
    """The plan as JSON: study, then per subject a summary (confirmed values only), a
    ``provisional`` block (values derived from ``--assume`` doses, else null), its warnings and
    its events. Warnings' messages, reasons and procedures are in ``lang`` (the study's
    language); each warning and reason also keeps its catalogue ``id`` and ``fields``."""
    def conv(v: Any) -> Any:
        return v.isoformat() if isinstance(v, date) else v

    doc = {
        "study": plan.study_name,
        "today": conv(plan.today),
        "assume": plan.assume,
        "subjects": [
            {**{k: conv(v) for k, v in _summary(p).items()},
             "provisional": {k: conv(v) for k, v in (_provisional(p) or {}).items()} or None,
             "warnings": [{"category": w.category.__name__, "visit": w.visit,
                           "message": w.render(lang),
                           **(w.text.as_json() if w.text is not None else {})}
                          for w in p.warnings],
             "events": [{**{k: conv(v) for k, v in event_row(p, e, lang).items()
                            if k not in ("cohort", "dose_level", "reason_id", "reason_fields")},
                         "reason_id": e.reason_text.id if e.reason_text else None,
                         "reason_fields": e.reason_text.as_json()["fields"]
                         if e.reason_text else None}
                        for e in p.events]}
            for p in plan
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _cols(text: str) -> int:
    """How many terminal columns ``text`` takes (East Asian wide characters two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def to_table(plan: StudyPlan, lang: str = "en") -> str:
    """A plain-text table per subject, for a terminal, in ``lang`` (issue 22: every label from
    the catalogue; columns padded by display width, a Chinese character two columns)."""
    def t(key: str, **fields: object) -> str:
        return message(lang, f"table.{key}", **fields)

    def label(prefix: str, value: str) -> str:  # English: the engine's own values (golden)
        key = f"{prefix}.{value}"
        return message(lang, key) if lang != "en" and key in MESSAGES else value

    out: list[str] = [f"{plan.study_name}" + (t("as_of", today=plan.today) if plan.today else "")]
    cols = tuple(t(f"col.{c}") for c in ("visit", "kind", "day", "target", "planned", "window",
                                         "status", "dose", "regimen", "actual"))
    for p in plan:
        s = _summary(p)
        out.append("")
        head = t("subject", subject=p.subject_id, cohort=p.subject.cohort,
                 dose_level=p.subject.dose_level, first=p.subject.first_dose_date,
                 outcome=label("outcome", p.outcome.value))
        if p.state and p.state.value != p.outcome.value:  # not "awaiting decision · now awaiting decision"
            head += t("now", state=label("xlsx.state", p.state.value))
        out.append(head)
        facts = [t("doses", done=s["doses_done"], missed=s["doses_missed"],
                   planned=s["doses_planned"])
                 + (t("overdue", overdue=s["doses_overdue"]) if s["doses_overdue"] else ""),
                 t("last_dose", date=p.cap_date)]
        if p.decision_due:
            facts.append(t("decision_due", date=p.decision_due))
        if p.contraception_end:
            facts.append(t("contraception", date=p.contraception_end))
        out.append("  " + t("separator").join(facts))
        if p.provisional is not None:
            v = p.provisional
            out.append("  " + t("provisional", regimen=v.regimen, doses=v.doses_planned,
                                last=v.last_dose_date, eot=v.eot_date, fu=v.follow_up_end,
                                contraception=v.contraception_end))
        rows = [cols]
        for e in p.events:
            rows.append((
                e.visit, label("xlsx.kind", e.kind.value), str(e.study_day.value),
                e.target_date.isoformat(),
                "" if e.planned_date == e.target_date else t(
                    "day", day=f"{e.planned_date:%m-%d}", weekday=weekday(lang, e.planned_date)),
                f"{e.window_start:%m-%d}…{e.window_end:%m-%d}",
                label("xlsx.status", e.status.value) + ("*" if e.deviation else ""),
                str(e.dose_number or ""), e.regimen or "",
                e.actual_date.isoformat() if e.actual_date else ""))
        widths = [max(_cols(r[i]) for r in rows) for i in range(len(cols))]
        for r in rows:
            out.append("  " + "  ".join(c + " " * (w - _cols(c))
                                        for c, w in zip(r, widths, strict=True)).rstrip())
        for e in p.events:
            if e.reason and e.status.value in ("planned", "provisional", "overdue"):
                out.append(f"  > {e.visit}{t('colon')}{e.reason_in(lang)}")
        for w in p.warnings:
            out.append(f"  ! {w.visit + t('colon') if w.visit else ''}{w.render(lang)}")
    if any(e.deviation for p in plan for e in p.events):
        out.append("")
        out.append(t("deviation"))
    if any(e.kind is EventKind.DOSE and e.status is EventStatus.PROVISIONAL
           for p in plan for e in p.events):
        out.append(t("provisional_note", assume=plan.assume))
    return "\n".join(out) + "\n"
