"""The one catalogue of user-facing labels, in English and Simplified Chinese (``zh-CN``).

Calendars (and later the Excel workbooks) take every label from :data:`MESSAGES`, a plain
table keyed by message id; :func:`message` picks the language and fills the ``{fields}``.
Only labels live here: subject ids, visit names (``W6D4``, ``D28``, ``EOT``) and dose levels
are identifiers and are never translated; procedures and warnings come from the protocol
and the engine as written.

>>> message("en", "summary.dose", subject="S003", n=12, visit="W6D4", dose_level="DL2")
'S003 · Dose 12 · W6D4 · DL2'
>>> message("zh-CN", "summary.dose", subject="S003", n=12, visit="W6D4", dose_level="DL2")
'S003 · 第12次给药 · W6D4 · DL2'
>>> message("zh-CN", "status.cancelled"), message("en", "status.cancelled")
('已取消', 'cancelled')
>>> message("fr", "status.cancelled")
Traceback (most recent call last):
...
KeyError: "no language 'fr' (known: en, zh-CN)"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["LANGUAGES", "LEGACY_TEXTS", "MESSAGES", "message"]

LANGUAGES: Final = ("en", "zh-CN")

#: message id -> language -> text (``str.format`` fields in braces). Every id has every language.
MESSAGES: Final[Mapping[str, Mapping[str, str]]] = {
    # ---- event summaries (the line a nurse sees in the calendar) ----------------------------
    "summary.dose": {
        "en": "{subject} · Dose {n} · {visit} · {dose_level}",
        "zh-CN": "{subject} · 第{n}次给药 · {visit} · {dose_level}",
    },
    "summary.visit": {  # non-dose visits: "S003 · D28 assessment · DL2"
        "en": "{subject} · {visit} {kind} · {dose_level}",
        "zh-CN": "{subject} · {visit} {kind} · {dose_level}",
    },
    "summary.flagged": {  # a status that calcurse cannot show otherwise: "CANCELLED: S003 · ..."
        "en": "{flag}: {summary}",
        "zh-CN": "【{flag}】{summary}",
    },
    "flag.cancelled": {"en": "CANCELLED", "zh-CN": "已取消"},
    "flag.missed": {"en": "MISSED", "zh-CN": "漏访"},
    "flag.provisional": {"en": "PROVISIONAL", "zh-CN": "暂定"},
    "subject": {"en": "S{id}", "zh-CN": "S{id}"},
    # ---- kinds of visit (model.EventKind) -----------------------------------------------
    "kind.dose": {"en": "dose", "zh-CN": "给药"},
    "kind.assessment": {"en": "assessment", "zh-CN": "继续治疗评估"},
    "kind.review": {"en": "review (decision due)", "zh-CN": "定期评估（需决策）"},
    "kind.eot": {"en": "end-of-treatment visit", "zh-CN": "治疗结束访视"},
    "kind.follow-up": {"en": "follow-up", "zh-CN": "随访"},
    # ---- statuses (model.EventStatus, plus cancelled: a visit no longer in the plan) ------
    "status.planned": {"en": "planned", "zh-CN": "已计划"},
    "status.provisional": {"en": "provisional", "zh-CN": "暂定"},
    "status.done": {"en": "done", "zh-CN": "已完成"},
    "status.missed": {"en": "missed", "zh-CN": "漏访"},
    "status.overdue": {"en": "overdue", "zh-CN": "已逾期"},
    "status.cancelled": {"en": "cancelled", "zh-CN": "已取消"},
    # ---- description field names ----------------------------------------------------------
    "field.visit": {"en": "Visit", "zh-CN": "访视"},
    "field.kind": {"en": "Kind", "zh-CN": "访视类型"},
    "field.cohort": {"en": "Cohort", "zh-CN": "队列"},
    "field.dose_level": {"en": "Dose level", "zh-CN": "剂量组"},
    "field.study_day": {"en": "Study day", "zh-CN": "研究日"},
    "field.week": {"en": "Week", "zh-CN": "研究周"},
    "field.target_date": {"en": "Target date", "zh-CN": "理论访视日期"},
    "field.planned_date": {"en": "Planned date", "zh-CN": "计划访视日期"},
    "field.actual_date": {"en": "Actual date", "zh-CN": "实际访视日期"},
    "field.window": {"en": "Window", "zh-CN": "窗口期"},
    "field.procedures": {"en": "Procedures", "zh-CN": "访视检查项目"},
    "field.regimen": {"en": "Regimen", "zh-CN": "给药方案"},
    "field.status": {"en": "Status", "zh-CN": "状态"},
    "field.warning": {"en": "Warning", "zh-CN": "警告"},
    "field.note": {"en": "Note", "zh-CN": "备注"},
    "field.reason": {"en": "Date changed", "zh-CN": "日期调整原因"},  # why planned ≠ target
    "field.site": {"en": "Site", "zh-CN": "研究中心"},
    "value.line": {"en": "{label}: {value}", "zh-CN": "{label}：{value}"},  # a description line
    "value.window": {"en": "{start} – {end}", "zh-CN": "{start} 至 {end}"},
    "value.none": {"en": "none", "zh-CN": "无"},
    "text.cancelled": {
        "en": "This visit is no longer in the subject's plan (changed by a decision).",
        "zh-CN": "该访视已不在受试者的计划中（因研究者决策而变更）。",
    },
    # ---- calendars and reminders ------------------------------------------------------------
    "calendar.subject": {
        "en": "{study} · {subject} (cohort {cohort}, {dose_level})",
        "zh-CN": "{study} · {subject}（队列 {cohort}，{dose_level}）",
    },
    "calendar.site": {"en": "{study} · {site} · all subjects", "zh-CN": "{study} · {site} · 全部受试者"},
    "calendar.selection": {
        "en": "{study} · {site} · {subjects}",
        "zh-CN": "{study} · {site} · {subjects}",
    },
    "calendar.description": {
        "en": "Dosing and visit calendar generated by cc312-schedule; no patient-identifying data.",
        "zh-CN": "由 cc312-schedule 生成的给药及访视日历；不含可识别患者身份的信息。",
    },
    "alarm": {"en": "Reminder: {summary}", "zh-CN": "提醒：{summary}"},
    # =========================================================================================
    # ---- Excel workbooks (xlsx.py, entries.py) — owned by the workbook work; append only ----
    # The import finds columns by these header texts in either language, so keep every
    # header unique within its sheet.
    "xlsx.sheet.overview": {"en": "Overview", "zh-CN": "总览"},
    "xlsx.sheet.visits": {"en": "Visits", "zh-CN": "访视计划"},
    "xlsx.sheet.decisions": {"en": "Decisions", "zh-CN": "研究者决策"},
    "xlsx.sheet.timeline": {"en": "Timeline", "zh-CN": "时间轴"},
    "xlsx.title": {"en": "{study} · {sheet}", "zh-CN": "{study} · {sheet}"},
    "xlsx.generated": {"en": "generated {when}", "zh-CN": "生成于 {when}"},
    "xlsx.today": {"en": "as of {today}", "zh-CN": "截至 {today}"},
    "xlsx.col.subject": {"en": "Subject", "zh-CN": "受试者"},
    "xlsx.col.cohort": {"en": "Cohort", "zh-CN": "队列"},
    "xlsx.col.dose_level": {"en": "Dose level", "zh-CN": "剂量组"},
    "xlsx.col.disease": {"en": "Disease", "zh-CN": "疾病"},
    "xlsx.col.first_dose": {"en": "First dose", "zh-CN": "首次给药日期"},
    "xlsx.col.regimen": {"en": "Regimen", "zh-CN": "给药方案"},
    "xlsx.col.doses_given": {"en": "Doses given", "zh-CN": "已给药次数"},
    "xlsx.col.doses_missed": {"en": "Doses missed", "zh-CN": "漏给药次数"},
    "xlsx.col.doses_planned": {"en": "Doses still planned", "zh-CN": "待给药次数"},
    "xlsx.col.next_visit": {"en": "Next visit", "zh-CN": "下次访视"},
    "xlsx.col.next_visit_date": {"en": "Next visit date", "zh-CN": "下次访视日期"},
    "xlsx.col.decision_due": {"en": "Decision due", "zh-CN": "应决策日期"},
    "xlsx.col.cap_date": {"en": "Last possible dose (day {day})", "zh-CN": "最晚给药日期（第{day}天）"},
    "xlsx.col.eot": {"en": "EOT", "zh-CN": "治疗结束访视日期"},
    "xlsx.col.follow_up_end": {"en": "End of follow-up", "zh-CN": "随访结束日期"},
    "xlsx.col.contraception_end": {"en": "Contraception end", "zh-CN": "避孕截止日期"},
    "xlsx.col.state": {"en": "State", "zh-CN": "当前状态"},
    "xlsx.col.warnings": {"en": "Warnings", "zh-CN": "警告"},
    "xlsx.col.visit": {"en": "Visit", "zh-CN": "访视"},
    "xlsx.col.kind": {"en": "Kind", "zh-CN": "访视类型"},
    "xlsx.col.dose_number": {"en": "Dose no.", "zh-CN": "给药序号"},
    "xlsx.col.study_day": {"en": "Study day", "zh-CN": "研究日"},
    "xlsx.col.week": {"en": "Week", "zh-CN": "研究周"},
    "xlsx.col.target_date": {"en": "Target date", "zh-CN": "理论访视日期"},
    "xlsx.col.planned_date": {"en": "Planned date", "zh-CN": "计划访视日期"},
    "xlsx.col.window_start": {"en": "Window start", "zh-CN": "窗口期起"},
    "xlsx.col.window_end": {"en": "Window end", "zh-CN": "窗口期止"},
    "xlsx.col.weekday": {"en": "Weekday", "zh-CN": "星期"},
    "xlsx.col.date_reason": {"en": "Why planned ≠ target", "zh-CN": "计划日期调整原因"},
    "xlsx.col.procedures": {"en": "Procedures", "zh-CN": "访视检查项目"},
    "xlsx.col.plan_status": {"en": "Plan status", "zh-CN": "计划状态"},
    "xlsx.col.actual_date": {"en": "Actual date", "zh-CN": "实际访视日期"},
    "xlsx.col.status": {"en": "Status", "zh-CN": "状态"},
    "xlsx.col.note": {"en": "Note", "zh-CN": "备注"},
    "xlsx.col.decided_on": {"en": "Decided on", "zh-CN": "决策日期"},
    "xlsx.col.action": {"en": "Action", "zh-CN": "决策类型"},
    "xlsx.col.weeks": {"en": "Weeks", "zh-CN": "持续周数"},
    "xlsx.col.until": {"en": "Until", "zh-CN": "截止日期"},
    "xlsx.col.investigator": {"en": "Investigator", "zh-CN": "研究者"},
    "xlsx.col.rationale": {"en": "Rationale", "zh-CN": "决策依据"},
    "xlsx.col.week_n": {"en": "W{n}", "zh-CN": "第{n}周"},
    "xlsx.kind.dose": {"en": "dose", "zh-CN": "给药"},
    "xlsx.kind.assessment": {"en": "assessment", "zh-CN": "继续治疗评估"},
    "xlsx.kind.review": {"en": "review", "zh-CN": "定期评估（需决策）"},
    "xlsx.kind.eot": {"en": "EOT", "zh-CN": "治疗结束访视"},
    "xlsx.kind.follow-up": {"en": "follow-up", "zh-CN": "随访"},
    "xlsx.status.planned": {"en": "planned", "zh-CN": "已计划"},
    "xlsx.status.provisional": {"en": "provisional", "zh-CN": "暂定"},
    "xlsx.status.done": {"en": "done", "zh-CN": "已完成"},
    "xlsx.status.missed": {"en": "missed", "zh-CN": "漏访"},
    "xlsx.status.overdue": {"en": "overdue", "zh-CN": "已逾期"},
    "xlsx.state.in induction": {"en": "in induction", "zh-CN": "诱导治疗中"},
    "xlsx.state.awaiting decision": {"en": "awaiting decision", "zh-CN": "待决策"},
    "xlsx.state.continuing": {"en": "continuing", "zh-CN": "继续治疗中"},
    "xlsx.state.on hold": {"en": "on hold", "zh-CN": "暂停给药"},
    "xlsx.state.stopped": {"en": "stopped", "zh-CN": "已停药"},
    "xlsx.state.in follow-up": {"en": "in follow-up", "zh-CN": "随访中"},
    "xlsx.state.withdrawn": {"en": "withdrawn", "zh-CN": "已退出研究"},
    "xlsx.state.complete": {"en": "complete", "zh-CN": "已完成研究"},
    "xlsx.state.not started": {"en": "not started", "zh-CN": "未开始"},
    "xlsx.action.continue": {"en": "continue", "zh-CN": "继续治疗"},
    "xlsx.action.stop": {"en": "stop", "zh-CN": "停止治疗"},
    "xlsx.action.hold": {"en": "hold", "zh-CN": "暂停给药"},
    "xlsx.action.resume": {"en": "resume", "zh-CN": "恢复给药"},
    "xlsx.legend": {"en": "Legend", "zh-CN": "图例"},
    "xlsx.legend.dose_done": {"en": "dose given", "zh-CN": "已给药"},
    "xlsx.legend.dose_missed": {"en": "dose missed", "zh-CN": "漏给药"},
    "xlsx.legend.overdue": {"en": "overdue (nothing recorded)", "zh-CN": "已逾期（未记录）"},
    "xlsx.legend.dose_planned": {"en": "dose planned", "zh-CN": "计划给药"},
    "xlsx.legend.dose_provisional": {"en": "dose provisional (no decision yet)",
                                     "zh-CN": "暂定给药（尚未决策）"},
    "xlsx.legend.decision": {"en": "decision due (assessment, review)",
                             "zh-CN": "需决策（继续治疗评估/定期评估）"},
    "xlsx.legend.eot": {"en": "end-of-treatment visit", "zh-CN": "治疗结束访视"},
    "xlsx.legend.follow_up": {"en": "follow-up visit", "zh-CN": "随访"},
    "xlsx.legend.cap": {"en": "week {week}: the treatment cap (no dose after day {day})",
                        "zh-CN": "第{week}周：最长治疗期（第{day}天后不再给药）"},
    "xlsx.legend.today": {"en": "the subject's current week (as of {today})",
                          "zh-CN": "受试者当前所在周（截至 {today}）"},
    "xlsx.legend.cell": {"en": "a number is the count of doses that week",
                         "zh-CN": "数字为该周给药次数"},
    # ---- end of the workbook block --------------------------------------------------------
    # ---- issue 15: workbook layout, times for people, warning kinds (append only) ----------
    "xlsx.sheet.warnings": {"en": "Warnings", "zh-CN": "警告"},
    "xlsx.col.warning_kind": {"en": "Kind of warning", "zh-CN": "警告类型"},
    "xlsx.col.message": {"en": "Message", "zh-CN": "警告内容"},
    "xlsx.no_warnings": {"en": "no warnings", "zh-CN": "无警告"},
    "xlsx.footer": {"en": "Page &P of &N", "zh-CN": "第 &P 页，共 &N 页"},
    "xlsx.date_error.title": {"en": "Date", "zh-CN": "日期"},
    "xlsx.date_error": {"en": "Enter a date from {start} to {end} (YYYY-MM-DD)",
                        "zh-CN": "请输入 {start} 至 {end} 之间的日期"},
    "xlsx.warning.DecisionClippedWarning": {"en": "decision past the cap",
                                            "zh-CN": "决策超出最长治疗期"},
    "xlsx.warning.DecisionWithoutEffectWarning": {"en": "decision without effect",
                                                  "zh-CN": "决策未安排给药"},
    "xlsx.warning.MinimumIntervalWarning": {"en": "doses too close", "zh-CN": "给药间隔不足"},
    "xlsx.warning.WindowDeviationWarning": {"en": "out of window (deviation)",
                                            "zh-CN": "超窗/方案偏离"},
    "xlsx.warning.AfterStudyCompletionWarning": {"en": "after study completion",
                                                 "zh-CN": "晚于研究结束日期"},
    "xlsx.warning.AgeEligibilityWarning": {"en": "age outside eligibility",
                                           "zh-CN": "年龄不符合入选标准"},
    "xlsx.warning.RecordedVisitWarning": {"en": "record does not match the plan",
                                          "zh-CN": "访视记录与计划不符"},
    "xlsx.warning.ClosedDayConflictWarning": {"en": "closed-day conflict", "zh-CN": "停诊日冲突"},
    "xlsx.warning.ProvisionalHolidaysWarning": {"en": "estimated holidays",
                                                "zh-CN": "节假日为预估"},
    "xlsx.warning.CapacityWarning": {"en": "too few infusion chairs", "zh-CN": "输液位不足"},
    "xlsx.warning.StaggerWarning": {"en": "cohort first doses too close",
                                    "zh-CN": "同队列首次给药间隔不足"},
    "time.local": {"en": "{when} ({zone})", "zh-CN": "{when}（{zone}）"},
    "tz.Asia/Shanghai": {"en": "Beijing time", "zh-CN": "北京时间"},
    # ---- end of the issue-15 block ----------------------------------------------------------
}

#: Texts a label had before (zh-CN-terms.md review, 2026-11-30): the workbook import still
#: accepts them as headers and dropdown choices, so workbooks already handed out still import.
LEGACY_TEXTS: Final[Mapping[str, tuple[str, ...]]] = {
    "xlsx.col.first_dose": ("首次给药",),
    "xlsx.col.decision_due": ("待决策日期",),
    "xlsx.col.eot": ("治疗结束",),
    "xlsx.col.follow_up_end": ("随访结束",),
    "xlsx.col.contraception_end": ("避孕截止",),
    "xlsx.col.kind": ("类型",),
    "xlsx.col.target_date": ("目标日期",),
    "xlsx.col.planned_date": ("计划日期",),
    "xlsx.col.window_start": ("窗口开始",),
    "xlsx.col.window_end": ("窗口结束",),
    "xlsx.col.procedures": ("检查与操作",),
    "xlsx.col.actual_date": ("实际日期",),
    "xlsx.col.action": ("决策",),
    "xlsx.col.weeks": ("周数",),
    "xlsx.col.until": ("截至日期",),
    "xlsx.action.continue": ("继续",),
    "xlsx.action.stop": ("停止",),
    "xlsx.action.hold": ("暂停",),
    "xlsx.action.resume": ("恢复",),
}


def message(lang: str, key: str, **fields: object) -> str:
    """The text of message ``key`` in language ``lang``, with ``fields`` filled in.

    An unknown language or id is a :class:`KeyError` (a programming error, not bad input:
    ``study.toml`` ``language`` is validated when the study loads).
    """
    if lang not in LANGUAGES:
        raise KeyError(f"no language {lang!r} (known: {', '.join(LANGUAGES)})")
    return MESSAGES[key][lang].format(**fields)
