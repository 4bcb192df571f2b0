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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

__all__ = ["BABEL_LOCALES", "LANGUAGES", "LEGACY_TEXTS", "MESSAGES", "Text", "message", "procedure",
           "procedures", "regimen_label", "warning_label", "weekday_name"]

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
    "flag.done": {"en": "DONE", "zh-CN": "已完成"},
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
    "field.order": {"en": "Order on this day", "zh-CN": "当日顺序"},  # D28, then the dose
    "field.site": {"en": "Site", "zh-CN": "研究中心"},
    "value.line": {"en": "{label}: {value}", "zh-CN": "{label}：{value}"},  # a description line
    # zh: 2026-11-30（周一）至 2026-12-02（周三）, the dates of calendars carry their weekday
    "value.window": {"en": "{start} – {end}", "zh-CN": "{start}至 {end}"},
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
    "xlsx.warning.CapBreachWarning": {"en": "dose after the cap", "zh-CN": "超过最长治疗期给药"},
    "xlsx.warning.BeforeStudyStartWarning": {"en": "first dose before the study start",
                                             "zh-CN": "首次给药早于研究开始日期"},
    "xlsx.warning.MissingContactWarning": {"en": "no contact phone", "zh-CN": "缺少联系电话"},
    "xlsx.warning.StaggerWarning": {"en": "cohort first doses too close",
                                    "zh-CN": "同队列首次给药间隔不足"},
    # ---- issue 15: engine warnings and date-change reasons as data (messages.Text) ---------
    # Ids: w.* warnings, r.* reasons why a planned date differs from the target, closed.* why
    # a day is closed, decision* a decision described. The English texts are those the engine
    # wrote before (the CLI and the English outputs are unchanged); the Chinese follow
    # zh-CN-terms.md. Fields: dates (rendered ISO), numbers, codes, or nested texts.
    "w.before_start": {"en": "first dose {first} is before the study start date {start}",
                       "zh-CN": "首次给药日期 {first} 早于研究开始日期 {start}"},
    "w.provisional_holidays": {
        "en": "planned dates in {year} use estimated public holidays ({source} has no official "
              "notice for {year} yet): check them when the notice is published",
        "zh-CN": "{year}年计划日期按预估节假日排定（{source}尚无{year}年官方放假通知），"
                 "国务院放假通知发布后请复核"},
    "source.holidays": {"en": "holidays {version} {country}",
                        "zh-CN": "{country}节假日数据 {version} 版"},
    "w.decision_after_cap": {
        "en": "decision {decision} is dated after the cap date {cap} (study day {day}): no dose "
              "may follow the cap, so it has no effect",
        "zh-CN": "{decision}晚于最长治疗期截止日 {cap}（研究第{day}天）：最长治疗期后不再给药，该决策无效"},
    "w.decision_clipped": {
        "en": "decision {decision} reaches past the cap: no dose after {cap} (study day {day})",
        "zh-CN": "{decision}超出最长治疗期：{cap}（研究第{day}天）后不再给药"},
    "w.decision_no_dose": {
        "en": "decision {decision} plans no dose: its period ends before the first {regimen} "
              "dosing day",
        "zh-CN": "{decision}未安排任何给药：其期限在第一个{regimen}给药日之前结束"},
    "w.after_completion": {"en": "{date} is after the study completion date {completion}",
                           "zh-CN": "{date} 晚于研究结束日期 {completion}"},
    "w.done_in_future": {
        "en": "recorded as done on {date}, after today ({today}): check the date",
        "zh-CN": "记录的完成日期 {date} 晚于今日（{today}）：请核对日期"},
    "w.cap_breach": {
        "en": "given on {date}, after the cap date {cap} (study day {day}): no dose may be given "
              "after it; kept as recorded",
        "zh-CN": "{date} 给药，晚于最长治疗期截止日 {cap}（研究第{day}天）：此后不得给药；按记录保留"},
    "w.unplanned_record": {
        "en": "recorded as {status} ({source}) but not part of the current plan; kept as recorded",
        "zh-CN": "记录为{status}（{source}），但不在当前计划中；按记录保留"},
    "w.window_deviation": {
        "en": "done on {actual}, outside its window {start}…{end} (target {target}): protocol "
              "deviation",
        "zh-CN": "实际访视日期 {actual} 超出窗口期（{start} 至 {end}，理论访视日期 {target}）：方案偏离"},
    "w.after_withdrawal": {"en": "recorded on {date}, on or after withdrawal {on}",
                           "zh-CN": "记录日期 {date} 不早于退出研究日期 {on}"},
    "w.closed_conflict": {
        "en": "{target} falls on a closed day ({closed}); window {start}…{end} has no open "
              "day{why}",
        "zh-CN": "{target} 为停诊日（{closed}）；窗口期 {start} 至 {end} 内无可用工作日{why}"},
    "why.interval": {"en": " that keeps the minimum interval to the neighbouring doses",
                     "zh-CN": "（需与相邻给药保持最小间隔）"},
    "w.interval_given": {
        "en": "given on {date}, {days} day(s) after {other} was given on {other_date}; the "
              "minimum interval is {gap} days",
        "zh-CN": "{date} 给药，距 {other}（{other_date} 给药）仅 {days} 天；给药间隔不足（至少 {gap} 天）"},
    "w.interval_planned": {
        "en": "planned on {date}, {days} day(s) {side} {other} was given on {other_date}; the "
              "minimum interval is {gap} days",
        "zh-CN": "计划 {date} 给药，在 {other}（{other_date} 给药）{side} {days} 天；"
                 "给药间隔不足（至少 {gap} 天）"},
    "side.after": {"en": "after", "zh-CN": "之后"},
    "side.before": {"en": "before", "zh-CN": "之前"},
    "w.out_of_order": {
        "en": "planned on {date}, on or before {given} when the earlier dose {other} was given: "
              "the doses would be given out of order",
        "zh-CN": "计划 {date} 给药，不晚于前一次给药 {other} 的实际给药日期 {given}：给药顺序将颠倒"},
    "w.age": {"en": "aged {age} on the consent date {consent}; the protocol admits {low}–{high} "
                    "inclusive",
              "zh-CN": "知情同意日 {consent} 时年龄 {age} 岁；方案要求 {low}–{high} 岁（含），"
                       "年龄不符合入选标准"},
    "w.capacity": {
        "en": "{date}: {count} dosing visits, the site has {chairs} chairs; no day inside the "
              "window has room",
        "zh-CN": "{date}：当日给药 {count} 例，中心仅有 {chairs} 个输液位；窗口期内无可调整日期"},
    "note.no_stagger": {
        "en": "no sentinel interval is set ({setting}): subjects of one "
              "cohort may be first dosed on the same day; an early-phase multiple-ascending-dose "
              "study usually states one",
        "zh-CN": "未设置同队列首次给药间隔（哨兵间隔，{setting}）：同一队列的受试者"
                 "可在同一天首次给药；早期多次递增剂量研究通常规定该间隔"},
    "r.moved": {"en": "{target} closed: {closed}; moved to the nearest open day in the window",
                "zh-CN": "{target} 停诊（{closed}）；已调整至窗口期内最近的工作日"},
    "r.moved_interval": {
        "en": "{target} closed: {closed}; the nearer open day {skipped} is less than {gap} days "
              "from a neighbouring dose: moved to the nearest open day in the window that keeps "
              "the minimum interval",
        "zh-CN": "{target} 停诊（{closed}）；较近的工作日 {skipped} 与相邻给药间隔不足 {gap} 天，"
                 "已调整至窗口期内满足最小给药间隔的最近工作日"},
    "r.no_open_day": {"en": "{target} closed: {closed}; no open day in the window{why}",
                      "zh-CN": "{target} 停诊（{closed}）；窗口期内无可用工作日{why}"},
    "r.capacity": {"en": "{day} full ({chairs} dosing visits): moved inside the window",
                   "zh-CN": "{day} 当日给药已满（{chairs}例）：已调整至窗口期内"},
    "r.both": {"en": "{first}; {then}", "zh-CN": "{first}；{then}"},
    "closed.weekend": {"en": "weekend ({weekday})", "zh-CN": "{weekday}"},
    "closed.holiday": {"en": "{name}", "zh-CN": "{name}"},  # the holidays package's name
    "closed.site": {"en": "site closed: {reason}", "zh-CN": "中心停诊：{reason}"},
    "open.site": {"en": "site open: {reason}", "zh-CN": "中心开诊：{reason}"},
    "open.workday": {"en": "adjusted working day (official make-up day)", "zh-CN": "调休工作日"},
    "decision": {"en": "{action}{details} on {on} ({source})",
                 "zh-CN": "{on} 决策（{action}{details}）（{source}）"},
    "decision.regimen": {"en": " {regimen}", "zh-CN": "，{regimen}"},
    "decision.weeks": {"en": " for {weeks} weeks", "zh-CN": "，{weeks}周"},
    "decision.until": {"en": " until {until}", "zh-CN": "，至 {until}"},
    # procedures, keyed by the protocol's English item (templates/cc312.toml [procedures])
    "procedure.vital signs": {"en": "vital signs", "zh-CN": "生命体征"},
    "procedure.safety labs": {"en": "safety labs", "zh-CN": "安全性实验室检查"},
    "procedure.PK pre-dose": {"en": "PK pre-dose", "zh-CN": "给药前PK采血"},
    "procedure.PK post-dose": {"en": "PK post-dose", "zh-CN": "给药后PK采血"},
    "procedure.PK": {"en": "PK", "zh-CN": "PK采血"},
    "procedure.B-cell (CD19+) count": {"en": "B-cell (CD19+) count",
                                       "zh-CN": "外周血B细胞（CD19+）计数"},
    "procedure.disease activity score": {"en": "disease activity score", "zh-CN": "疾病活动度评分"},
    "procedure.score": {"en": "disease activity score ({score})",
                        "zh-CN": "疾病活动度评分（{score}评分）"},
    "procedure.separator": {"en": "; ", "zh-CN": "；"},
    "procedure.list_separator": {"en": ", ", "zh-CN": "、"},  # calendars
    "regimen.label": {"en": "{code} ({label})", "zh-CN": "{code}（{label}）"},
    "regimen.BIW": {"en": "twice weekly, days 1 and 4", "zh-CN": "每周2次（第1、4天）"},
    "regimen.QW": {"en": "once weekly", "zh-CN": "每周1次"},
    "regimen.Q2W": {"en": "every 2 weeks", "zh-CN": "每2周1次"},
    "regimen.Q4W": {"en": "every 4 weeks", "zh-CN": "每4周1次"},
    "time.local": {"en": "{when} ({zone})", "zh-CN": "{when}（{zone}）"},
    "tz.Asia/Shanghai": {"en": "Beijing time", "zh-CN": "北京时间"},
    # ---- end of the issue-15 block ----------------------------------------------------------
    # ---- the printed pages: the nurses' day list and the participant's schedule --------
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
    # a visit left on a closed day (no open day in its window): never "please come on this day"
    "handout.date_tbc": {"en": "Date to be confirmed by the study team (planned around {date})",
                         "zh-CN": "具体日期由研究人员另行通知（原定{date}前后）"},
    "handout.window.tbc": {"en": "the site is closed on this day: the study team will tell you "
                                 "when to come",
                           "zh-CN": "当天研究中心停诊，研究人员会告知您到访日期"},
    "handout.holidays": {"en": "About the dates", "zh-CN": "关于访视日期"},
    "handout.holidays.text": {
        "en": "The dates in {years} follow the public holidays as estimated before the official "
              "holiday notice is published; if a date changes, the study team will tell you.",
        "zh-CN": "{years}年的访视日期按预估节假日排定；国务院放假通知发布后如有调整，研究人员会告知您。"},
    "handout.legend": {"en": "What happens at the visits", "zh-CN": "访视内容说明"},
    # no dose number for the participant: it counts missed doses ("dose 19" to someone given 18)
    "handout.kind.dose": {"en": "Infusion", "zh-CN": "输注"},
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


_SCORE = re.compile(r"disease activity score \((?P<score>[^()]+)\)")


def procedure(lang: str, item: str) -> str:
    """A protocol procedure in ``lang``, keyed by its English item; an item the catalogue does
    not know (a site's own) is shown as written.

    >>> procedure("zh-CN", "B-cell (CD19+) count"), procedure("zh-CN", "disease activity score (MMT-8)")
    ('外周血B细胞（CD19+）计数', '疾病活动度评分（MMT-8评分）')
    >>> procedure("zh-CN", "chest X-ray"), procedure("en", "PK")
    ('chest X-ray', 'PK')
    """
    key = f"procedure.{item}"
    if key in MESSAGES:
        return message(lang, key)
    m = _SCORE.fullmatch(item)
    return message(lang, "procedure.score", score=m["score"]) if m else item


def warning_label(lang: str, category: str) -> str:
    """What a warning class is called in ``lang``: its class name in English (what filters
    use), the site's term otherwise (glossary "warning kinds").

    >>> warning_label("zh-CN", "CapacityWarning"), warning_label("en", "CapacityWarning")
    ('输液位不足', 'CapacityWarning')
    """
    key = f"xlsx.warning.{category}"
    return category if lang == "en" or key not in MESSAGES else message(lang, key)


def regimen_label(lang: str, code: str) -> str:
    """A regimen code with its label for running text; a code the catalogue lacks as it is.

    >>> regimen_label("zh-CN", "Q4W"), regimen_label("en", "BIW"), regimen_label("en", "Q3W")
    ('Q4W（每4周1次）', 'BIW (twice weekly, days 1 and 4)', 'Q3W')
    """
    key = f"regimen.{code}"
    if key not in MESSAGES:
        return code
    return message(lang, "regimen.label", code=code, label=message(lang, key))


def procedures(lang: str, items: Iterable[str]) -> str:
    """Procedures joined for a cell or a line: ``vital signs; PK`` / ``生命体征；PK采血``."""
    return message(lang, "procedure.separator").join(procedure(lang, i) for i in items)


@dataclass(frozen=True, slots=True)
class Text:
    """A text for people as data: a catalogue id and its fields, rendered in any language.

    Engine warnings and date-change reasons are made as Texts; outputs render them in the
    study's language, CSV and JSON keep the id and the fields too. ``str()`` is the English.
    Field values: dates (ISO), numbers, strings (as given: codes, names, file locations),
    nested Texts, or tuples of them (concatenated); a field named ``weekday`` holding a date
    is that date's weekday name (Sunday / 周日).

    >>> from datetime import date
    >>> t = Text.of("r.moved", target=date(2026, 11, 22),
    ...             closed=Text.of("closed.weekend", weekday=date(2026, 11, 22)))
    >>> str(t)
    '2026-11-22 closed: weekend (Sunday); moved to the nearest open day in the window'
    >>> t.render("zh-CN")
    '2026-11-22 停诊（周日）；已调整至窗口期内最近的工作日'
    >>> t.as_json()["fields"]
    {'target': '2026-11-22', 'closed': {'id': 'closed.weekend', 'fields': {'weekday': '2026-11-22'}}}
    """

    id: str
    fields: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, id: str, **fields: object) -> Text:
        if id not in MESSAGES:
            raise KeyError(f"no message {id!r}")
        return cls(id, tuple(fields.items()))

    def render(self, lang: str) -> str:
        return message(lang, self.id, **{k: _field(lang, k, v) for k, v in self.fields})

    def __str__(self) -> str:
        return self.render("en")

    def as_json(self) -> dict[str, object]:
        """``{"id": ..., "fields": {...}}``: dates ISO, nested texts nested."""
        return {"id": self.id, "fields": {k: _json(v) for k, v in self.fields}}


#: The Babel (CLDR) locale of each study language.
BABEL_LOCALES: Final = {"en": "en", "zh-CN": "zh_Hans_CN"}


#: English weekday names (what the engine's English texts always said): planning in English
#: never imports Babel (the day list's CSV and ``plan --format csv`` start fast).
_ENGLISH_WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                            "Sunday")


def weekday_name(lang: str, day: date) -> str:
    """The weekday in prose: Sunday in English; from Babel's CLDR data in other languages, 周日
    in Chinese (zh-CN-terms.md: 周日, not 周天 or 星期日).

    >>> weekday_name("en", date(2026, 11, 22)), weekday_name("zh-CN", date(2026, 11, 22))
    ('Sunday', '周日')
    """
    if lang == "en":
        return _ENGLISH_WEEKDAYS[day.weekday()]
    from babel.dates import format_date  # imported when first needed: the engine never does

    return str(format_date(day, "EEE" if lang == "zh-CN" else "EEEE",
                           locale=BABEL_LOCALES[lang]))


def _field(lang: str, key: str, value: object) -> str:
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, tuple):
        return "".join(_field(lang, key, v) for v in value)
    if isinstance(value, date):
        if key == "weekday":
            return weekday_name(lang, value)
        return value.isoformat()
    return str(value)


def _json(value: object) -> object:
    if isinstance(value, Text):
        return value.as_json()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
