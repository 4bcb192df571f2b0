"""Printed pages as HTML (Jinja2, one template per page kind) and PDF (WeasyPrint).

The templates live beside this module (``html/*.j2``, package data). Every page is one
self-contained HTML file: inline CSS, no script, no network, A4 page rules, the font named on
every element and on the page's margin boxes (Noto Sans CJK SC, Debian ``fonts-noto-cjk``).
Jinja2 and WeasyPrint are imported only here, when a page is rendered.

>>> from datetime import date
>>> from cc312_schedule import example_study_path, load_study, plan_study
>>> from cc312_schedule.reports.due import plan_due
>>> study = load_study(example_study_path())
>>> page = to_due_html(plan_due(study, plan_study(study), start=date(2026, 11, 30)))
>>> page.startswith("<!DOCTYPE html>"), "http" in page, "<script" in page
(True, False, False)
"""

from __future__ import annotations

import json
from datetime import datetime, time
from functools import cache
from pathlib import Path
from typing import Any, Final

from ..core.l10n import document_date, listed_date, local_time, long_date
from ..core.messages import message, procedure, warning_label
from ..core.model import EventStatus
from .due import DueList, DueSection, kind_label, section_label
from .handout import Handout

__all__ = ["FONT", "to_due_html", "to_handout_html", "to_pdf"]

#: The font stack of every page: Noto Sans CJK SC first (Latin and Chinese in one family).
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif'
TEMPLATES = Path(__file__).parent / "html"


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["css_string"] = _css_string
    env.filters["nowrap"] = _nowrap
    return env


def _nowrap(text: str, pieces: tuple[str, ...]) -> Any:
    """``text`` escaped, each of ``pieces`` in it kept on one line (a date of a window: never
    ``12月8日`` on one line and ``（星期二）`` on the next)."""
    import markupsafe

    out = markupsafe.escape(text)
    for piece in dict.fromkeys(pieces):
        p = markupsafe.escape(piece)
        out = markupsafe.Markup(out.replace(p, markupsafe.Markup('<span class="nw">') + p
                                            + markupsafe.Markup("</span>")))
    return out


def _css_string(value: str) -> Any:
    """A CSS string literal (JSON's escaping is valid CSS for quotes and backslashes)."""
    import markupsafe

    return markupsafe.Markup(json.dumps(value, ensure_ascii=False).replace("<", "\\3c "))


def _page_label(lang: str) -> str:
    """``"page " counter(page) " of " counter(pages)`` in ``lang``, as CSS ``content``."""
    before, rest = message(lang, "handout.page", page="\0", pages="\1").split("\0")
    middle, after = rest.split("\1")
    parts = [_css_string(before), "counter(page)", _css_string(middle), "counter(pages)"]
    if after:
        parts.append(_css_string(after))
    return " ".join(parts)


def _render(name: str, **context: Any) -> str:
    return str(_environment().get_template(name).render(font=FONT, **context))


def to_due_html(due: DueList, *, generated: str | datetime = "") -> str:
    """The due list as one A4 (landscape) HTML page; ``generated`` is printed when given: a
    time-zone-aware datetime is said in the study's zone with the zone named (review C5:
    ``生成于 2026-12-04 23:28（北京时间）``), a string as it is."""
    lang = due.language
    multi = due.start != due.end

    def counts(of: Any) -> list[dict[str, Any]]:
        return [{"label": section_label(lang, s, multi=due.other_days), "n": of.count(s)}
                for s in DueSection]

    sep = "、" if lang == "zh-CN" else ", "
    days = []
    for d in due.days:
        sections = []
        for s in DueSection:
            rows = d.section(s)
            if not rows:
                continue
            sections.append({"code": s.value, "label": message(lang, "due.count", label=section_label(
                lang, s, multi=due.other_days), n=len(rows)), "rows": [{
                "subject_id": r.subject_id, "cohort": r.cohort, "dose_level": r.dose_level,
                "visit": r.visit, "kind": kind_label(lang, r), "time": f"{r.time:%H:%M}",
                "planned": listed_date(lang, r.planned_date),
                "last_day": listed_date(lang, r.window_end),
                "status": message(lang, "due.overdue_days", n=r.days_late)
                if s is DueSection.OVERDUE and r.days_late
                else message(lang, f"due.status.{r.status.value}"),
                # a decision's lateness in the same form as a visit's (one rule, core.model)
                "late": message(lang, "due.overdue_days", n=r.days_late) if r.days_late else "",
                "provisional": r.status is EventStatus.PROVISIONAL,
                "procedures": sep.join(procedure(lang, i) for i in r.procedures)} for r in rows]})
        days.append({
            "title": listed_date(lang, d.day),
            "closed": message(lang, "due.closed", reason=d.closed_reason)
            if d.closed_reason else "",
            "open": d.open_reason or "",  # 调休上班 (review C14)
            "counts": counts(d), "sections": sections,
            "warnings_label": message(lang, "due.count", label=message(lang, "due.section.warning"),
                                      n=len(d.warnings)),
            "warnings": [message(lang, "due.warning_line",
                                 subject=message(lang, "subject", id=w.subject_id), visit=w.visit,
                                 message=w.message, label=warning_label(lang, w.category))
                         for w in d.warnings]})
    span = listed_date(lang, due.start) if due.start == due.end else message(
        lang, "due.span", start=listed_date(lang, due.start), end=listed_date(lang, due.end))
    heading = message(lang, "due.heading", study=due.study_name, span=span)
    col = {k: message(lang, f"due.col.{k}") for k in (
        "subject", "cohort", "dose_level", "visit", "kind", "time", "planned", "last_day",
        "status", "procedures", "due", "late")}
    when = (local_time(lang, generated, due.timezone) if isinstance(generated, datetime)
            else generated)
    totals = message(lang, "due.totals_of", totals=message(lang, "due.totals"),
                     days=message(lang, "due.days", n=len(due.days)))
    return _render(
        "due.html.j2", lang=lang, orientation="landscape", heading=heading, site=due.site,
        generated=message(lang, "due.generated", when=when) if when else "",
        privacy=message(lang, "due.privacy"), multi=multi,
        totals_label=message(lang, "due.colon", label=totals),
        totals=counts(due), days=days, nothing=message(lang, "due.nothing"), col=col,
        # the heading names the study already: once in the footer (review C1)
        footer_left=heading, page_label=_page_label(lang))


def to_handout_html(h: Handout) -> str:
    """The participant's schedule as one A4 (portrait) HTML page."""
    lang = h.language
    t = {k.replace(".", "_"): message(lang, f"handout.{k}") for k in (
        "heading", "site", "study_id", "name", "col.date", "col.time", "col.what", "col.window",
        "none", "tbc", "tbc.text", "tbc.mark", "contraception", "contraception.tbc", "contact",
        "missed", "bring", "legend")}
    t["sep"] = "；" if lang == "zh-CN" else "; "
    t["from_"] = message(lang, "handout.from", date=long_date(lang, h.today))
    t["phone"] = message(lang, "handout.phone", phone=h.phone)
    t["phone_blank"] = message(lang, "handout.phone", phone="")
    if h.contraception_end is not None:
        t["contraception_text"] = message(lang, "handout.contraception.text",
                                       date=long_date(lang, h.contraception_end))
    t["holidays"] = message(lang, "handout.holidays")
    years = [str(y) for y in h.holidays_estimated]
    t["holidays_text"] = message(lang, "handout.holidays.text", years=(
        "、".join(years) if lang == "zh-CN" else " and ".join(years))) if years else ""
    version = (message(lang, "handout.version.dated", version=h.version,
                       date=document_date(lang, h.version_date)) if h.version_date is not None
               else message(lang, "handout.version", version=h.version))
    footer = message(lang, "handout.footer", protocol=h.protocol_id, version=version,
                     generated=document_date(lang, h.generated))
    kind_labels = {k: message(lang, f"handout.legend.{k}") for k, _ in h.legend}
    return _render("handout.html.j2", lang=lang, orientation="portrait", h=h, t=t,
                   kind_labels=kind_labels, clock=lambda at: participant_time(lang, at),
                   footer_left=footer, page_label=_page_label(lang))


def participant_time(lang: str, at: time) -> str:
    """A visit's time as a participant reads it: ``上午9:00`` / ``下午2:30`` in Chinese (review
    A7), ``09:00`` in English; staff outputs keep 24-hour times.

    >>> from datetime import time
    >>> (participant_time("zh-CN", time(9)), participant_time("zh-CN", time(14, 30)),
    ...  participant_time("en", time(9)))
    ('上午9:00', '下午2:30', '09:00')
    """
    if lang != "zh-CN":
        return f"{at:%H:%M}"
    hour = at.hour % 12 or 12
    return message(lang, "handout.am" if at.hour < 12 else "handout.pm",
                   time=f"{hour}:{at.minute:02d}")


#: The Debian package whose fonts the Chinese pages name first (Noto Sans CJK SC).
CJK_FONT_PACKAGE: Final = "fonts-noto-cjk"


def has_cjk_font() -> bool | None:
    """Whether fontconfig (what WeasyPrint finds fonts with) knows a font for Simplified
    Chinese; None when it cannot be asked (no ``fc-list``). Without one a Chinese PDF prints
    every character as a box: the handout refuses rather than write it (issue 22)."""
    import shutil
    import subprocess

    exe = shutil.which("fc-list")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, ":lang=zh-cn", "family"], capture_output=True, text=True,
                             timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.strip())


def to_pdf(html: str) -> bytes:
    """Render a page's HTML to PDF with WeasyPrint (fonts subset with HarfBuzz when installed)."""
    import logging

    import weasyprint

    # WeasyPrint logs every CSS property it ignores at WARNING; the pages use none it lacks.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return bytes(weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf())
