"""Labels and date formats of the printed pages: the nurses' due list and the participant's schedule.

A small catalogue of its own (message id -> language -> text), beside :mod:`cc312_schedule.messages`
which serves the calendars and the workbook; the Chinese terms follow the site's glossary
(``shared/reference/zh-CN-terms.md``). Dates in prose carry the weekday; the participant's
schedule writes dates in full, as Babel's CLDR data has them for the language:

>>> prose_date("zh-CN", date(2026, 12, 1)), prose_date("en", date(2026, 12, 1))
('2026-12-01（周二）', 'Tue 2026-12-01')
>>> long_date("zh-CN", date(2026, 11, 30)), long_date("en", date(2026, 11, 30))
('2026年11月30日 星期一', 'Monday 30 November 2026')
>>> text("zh-CN", "due.section.closing"), text("en", "due.section.closing")
('今日或下一工作日窗口期止', 'window closes today or on the next open day')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

from .messages import LANGUAGES

__all__ = ["PAGE_TEXT", "closed_reason", "long_date", "procedure", "prose_date", "short_date",
           "text", "warning_label", "weekday"]

_WEEKDAYS: Final = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh-CN": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}

#: message id -> language -> text (``str.format`` fields in braces). Every id has every language.
PAGE_TEXT: Final[Mapping[str, Mapping[str, str]]] = {
    # ---- the due list (due.py, html/due.html.j2) -------------------------------------------
    "due.title": {"en": "Due list", "zh-CN": "每日访视清单"},
    "due.heading": {"en": "{study} · due list {span}", "zh-CN": "{study} · 每日访视清单 {span}"},
    "due.span": {"en": "{start} to {end}", "zh-CN": "{start} 至 {end}"},
    "due.closed": {"en": "site closed: {reason}", "zh-CN": "中心停诊：{reason}"},
    "due.nothing": {"en": "nothing due", "zh-CN": "无待办事项"},
    "due.totals": {"en": "Totals", "zh-CN": "合计"},
    "due.days": {"en": "{n} days", "zh-CN": "共{n}天"},
    "due.generated": {"en": "generated {when}", "zh-CN": "生成于 {when}"},
    "due.privacy": {"en": "Subjects are identified by study id, cohort and dose level only.",
                    "zh-CN": "受试者仅以受试者编号、队列和剂量组标识。"},
    "due.section.today": {"en": "visits today", "zh-CN": "今日访视"},
    "due.section.in-window": {"en": "still in window (planned earlier)",
                              "zh-CN": "窗口期内未完成（原计划日期已过）"},
    "due.section.closing": {"en": "window closes today or on the next open day",
                            "zh-CN": "今日或下一工作日窗口期止"},
    "due.section.overdue": {"en": "overdue (window ended, nothing recorded)",
                            "zh-CN": "已逾期（窗口期已过，未记录）"},
    "due.section.decision": {"en": "decisions due", "zh-CN": "应决策"},
    "due.section.warning": {"en": "warnings", "zh-CN": "警告"},
    "due.col.subject": {"en": "Subject", "zh-CN": "受试者"},
    "due.col.cohort": {"en": "Cohort", "zh-CN": "队列"},
    "due.col.dose_level": {"en": "Dose level", "zh-CN": "剂量组"},
    "due.col.visit": {"en": "Visit", "zh-CN": "访视"},
    "due.col.kind": {"en": "Kind", "zh-CN": "访视类型"},
    "due.col.time": {"en": "Time", "zh-CN": "时间"},
    "due.col.planned": {"en": "Planned", "zh-CN": "计划访视日期"},
    "due.col.last_day": {"en": "Last day", "zh-CN": "窗口期止"},
    "due.col.dose_number": {"en": "Dose", "zh-CN": "给药序号"},
    "due.col.status": {"en": "Status", "zh-CN": "状态"},
    "due.col.procedures": {"en": "Procedures", "zh-CN": "访视检查项目"},
    "due.col.due": {"en": "Decision due", "zh-CN": "应决策日期"},
    "due.col.late": {"en": "Days late", "zh-CN": "逾期天数"},
    "due.col.warning": {"en": "Warning", "zh-CN": "警告"},
    "due.kind.dose": {"en": "dose", "zh-CN": "给药"},
    "due.kind.assessment": {"en": "assessment (decision)", "zh-CN": "继续治疗评估"},
    "due.kind.review": {"en": "review (decision)", "zh-CN": "定期评估（需决策）"},
    "due.kind.eot": {"en": "end of treatment", "zh-CN": "治疗结束访视"},
    "due.kind.follow-up": {"en": "follow-up", "zh-CN": "随访"},
    "due.status.planned": {"en": "planned", "zh-CN": "已计划"},
    "due.status.provisional": {"en": "to be confirmed", "zh-CN": "待确认（暂定）"},
    "due.status.done": {"en": "done", "zh-CN": "已完成"},
    "due.status.missed": {"en": "missed", "zh-CN": "漏访"},
    "due.status.overdue": {"en": "overdue", "zh-CN": "已逾期"},
    # ---- the participant's schedule (handout.py, html/handout.html.j2) ---------------------
    "handout.heading": {"en": "Your visit schedule", "zh-CN": "您的访视安排"},
    "handout.site": {"en": "Study site", "zh-CN": "研究中心"},
    "handout.study_id": {"en": "Your study number", "zh-CN": "您的受试者编号"},
    "handout.name": {"en": "Name (written by the study team)", "zh-CN": "姓名（由研究人员填写）"},
    "handout.from": {"en": "Visits from {date}", "zh-CN": "{date}起的访视"},
    "handout.col.date": {"en": "Date", "zh-CN": "日期"},
    "handout.col.time": {"en": "Time", "zh-CN": "时间"},
    "handout.col.what": {"en": "What happens", "zh-CN": "访视内容"},
    "handout.col.window": {"en": "If you cannot come on this day, you may come from … to …",
                           "zh-CN": "如当天无法到访，可在以下日期之间到访"},
    "handout.window": {"en": "{start} to {end}", "zh-CN": "{start} 至 {end}"},
    "handout.window.none": {"en": "please come on this day", "zh-CN": "请务必当天到访"},
    "handout.legend": {"en": "What happens at the visits", "zh-CN": "访视内容说明"},
    "handout.kind.dose": {"en": "Infusion, dose {n}", "zh-CN": "第{n}次输注"},
    "handout.kind.assessment": {"en": "Check-up and treatment decision", "zh-CN": "继续治疗评估"},
    "handout.kind.review": {"en": "Check-up and treatment decision", "zh-CN": "定期评估"},
    "handout.kind.eot": {"en": "End-of-treatment visit", "zh-CN": "治疗结束访视"},
    "handout.kind.follow-up": {"en": "Follow-up visit", "zh-CN": "随访"},
    "handout.legend.dose": {"en": "Infusion", "zh-CN": "输注"},
    "handout.legend.assessment": {"en": "Check-up after 4 weeks", "zh-CN": "继续治疗评估"},
    "handout.legend.review": {"en": "Check-up", "zh-CN": "定期评估"},
    "handout.legend.eot": {"en": "End-of-treatment visit", "zh-CN": "治疗结束访视"},
    "handout.legend.follow-up": {"en": "Follow-up visit", "zh-CN": "随访"},
    "handout.none": {"en": "No confirmed visits are planned from this date.",
                     "zh-CN": "自该日期起暂无已确认的访视。"},
    "handout.tbc": {"en": "To be confirmed", "zh-CN": "待确认的访视"},
    "handout.tbc.text": {
        "en": "These visits depend on the study doctor's decision about your treatment. "
              "They are not confirmed yet: the study team will tell you which of them take place "
              "and will give you a new schedule.",
        "zh-CN": "以下访视取决于研究医生对您后续治疗的决定，目前尚未确认。研究人员会告知您哪些访视将进行，"
                 "并为您提供新的访视安排。",
    },
    "handout.tbc.mark": {"en": "to be confirmed", "zh-CN": "待确认"},
    "handout.contraception": {"en": "Contraception", "zh-CN": "避孕"},
    "handout.contraception.text": {
        "en": "Please use effective contraception until {date} (6 months after your last dose).",
        "zh-CN": "请采取有效的避孕措施，直至 {date}（末次给药后6个月）。",
    },
    "handout.contraception.tbc": {
        "en": "This date depends on your last dose and moves later if you receive more doses; "
              "the study team will tell you.",
        "zh-CN": "该日期取决于您的末次给药日期；如继续给药，日期将相应推后，研究人员会告知您。",
    },
    "handout.contact": {"en": "Contact", "zh-CN": "联系方式"},
    "handout.phone": {"en": "Study team telephone: {phone}", "zh-CN": "研究团队联系电话：{phone}"},
    "handout.missed": {
        "en": "If you cannot come within the dates shown, or you feel unwell, call the study team "
              "as soon as possible. A missed dose is not made up: the study team will tell you "
              "when to come next.",
        "zh-CN": "如您无法在上述日期内到访，或身体不适，请尽快致电研究团队。漏用的药物不会补给，"
                 "研究人员会告知您下次到访的时间。",
    },
    "handout.bring": {
        "en": "Please bring this schedule to every visit.",
        "zh-CN": "每次到访时请携带本访视安排表。",
    },
    "handout.footer": {
        "en": "{protocol} · participant schedule, version {version} · plan of {generated}",
        "zh-CN": "{protocol} · 受试者访视安排表，版本 {version} · 计划生成于 {generated}",
    },
    "handout.page": {"en": "page {page} of {pages}", "zh-CN": "第 {page} 页，共 {pages} 页"},
}

#: Warning classes as the site's staff name them (glossary "warning kinds"); English: the class name.
_WARNING_ZH: Final = {
    "WindowDeviationWarning": "超窗/方案偏离",
    "DecisionClippedWarning": "决策超出最长治疗期",
    "ProvisionalHolidaysWarning": "节假日为预估",
    "ClosedDayConflictWarning": "停诊日冲突",
    "MinimumIntervalWarning": "给药间隔不足",
    "AgeEligibilityWarning": "年龄不符合入选标准",
    "RecordedVisitWarning": "访视记录与计划不符",
    "CapacityWarning": "输液位不足",
    "StaggerWarning": "同队列首次给药间隔不足",
}


#: The protocol's procedure items for the site's staff (glossary "Procedures"), keyed by the English item.
_PROCEDURES_ZH: Final = {
    "vital signs": "生命体征",
    "safety labs": "安全性实验室检查",
    "PK pre-dose": "给药前PK采血",
    "PK post-dose": "给药后PK采血",
    "PK": "PK采血",
    "B-cell (CD19+) count": "外周血B细胞（CD19+）计数",
    "disease activity score": "疾病活动度评分",
}


def procedure(lang: str, item: str) -> str:
    """A procedure item for staff in ``lang`` (an item the glossary lacks stays as written)."""
    return _PROCEDURES_ZH.get(item, item) if lang == "zh-CN" else item


def closed_reason(lang: str, reason: str) -> str:
    """The site calendar's reason, with the weekend named in ``lang`` (holiday names as given)."""
    if lang == "zh-CN" and reason.startswith("weekend ("):
        names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        name = reason[len("weekend ("):].rstrip(")")
        if name in names:
            return f"周末（{_WEEKDAYS['zh-CN'][names.index(name)]}）"
    return reason


def text(lang: str, key: str, **fields: object) -> str:
    """The text of ``key`` in ``lang`` with ``fields`` filled in (an unknown one: ``KeyError``)."""
    if lang not in LANGUAGES:
        raise KeyError(f"no language {lang!r} (known: {', '.join(LANGUAGES)})")
    return PAGE_TEXT[key][lang].format(**fields)


def weekday(lang: str, day: date) -> str:
    """``周一``…``周日`` or ``Mon``…``Sun``."""
    return _WEEKDAYS[lang][day.weekday()]


def prose_date(lang: str, day: date) -> str:
    """An ISO date with its weekday: ``2026-12-01（周二）`` or ``Tue 2026-12-01``."""
    if lang == "zh-CN":
        return f"{day.isoformat()}（{weekday(lang, day)}）"
    return f"{weekday(lang, day)} {day.isoformat()}"


def long_date(lang: str, day: date) -> str:
    """The date in full, with the weekday, from Babel's CLDR data (participants' schedule)."""
    from babel.dates import format_date

    if lang == "zh-CN":
        return str(format_date(day, "y年M月d日 EEEE", locale="zh_CN"))
    return str(format_date(day, "EEEE d MMMM y", locale="en_GB"))


def short_date(lang: str, day: date, *, year_of: date | None = None) -> str:
    """A short date with its weekday, the year only when it differs from ``year_of``'s.

    >>> short_date("zh-CN", date(2027, 1, 5), year_of=date(2026, 12, 31))
    '2027年1月5日（周二）'
    >>> short_date("en", date(2026, 12, 2), year_of=date(2026, 12, 3))
    'Wed 2 Dec'
    """
    with_year = year_of is None or year_of.year != day.year
    if lang == "zh-CN":
        return f"{f'{day.year}年' if with_year else ''}{day.month}月{day.day}日（{weekday(lang, day)}）"
    from babel.dates import format_date

    return str(format_date(day, "EEE d MMM y" if with_year else "EEE d MMM", locale="en_GB"))


def warning_label(lang: str, category: str) -> str:
    """What a warning class is called in ``lang`` (the class name in English)."""
    return _WARNING_ZH.get(category, category) if lang == "zh-CN" else category
