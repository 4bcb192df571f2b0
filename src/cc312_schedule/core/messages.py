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

from .errors import ScheduleError

__all__ = ["BABEL_LOCALES", "DROPPED_FIELDS", "LANGUAGES", "LEGACY_TEXTS", "MESSAGES", "Text",
           "language_from_env", "message", "pick_language", "procedure", "procedures",
           "regimen_label", "render_error", "warning_label", "weekday_name"]

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
    # why planned ≠ target; as the workbook says it (review B4)
    "field.reason": {"en": "Date changed", "zh-CN": "计划日期调整原因"},
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
        "zh-CN": "由 cc312-schedule 生成的给药及访视日历；不含可识别受试者身份的信息。",
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
    "xlsx.col.consent_date": {"en": "Consent date", "zh-CN": "知情同意签署日期"},
    "xlsx.col.first_dose": {"en": "First dose", "zh-CN": "首次给药日期"},
    "xlsx.col.regimen": {"en": "Regimen", "zh-CN": "给药方案"},
    "xlsx.col.doses_given": {"en": "Doses given", "zh-CN": "已给药次数"},
    "xlsx.col.doses_missed": {"en": "Doses missed", "zh-CN": "漏给药次数"},
    "xlsx.col.doses_planned": {"en": "Doses to come", "zh-CN": "待给药次数"},
    "xlsx.col.next_visit": {"en": "Next visit", "zh-CN": "下次访视"},
    "xlsx.col.next_visit_date": {"en": "Next visit date", "zh-CN": "下次访视日期"},
    "xlsx.col.decision_due": {"en": "Decision due", "zh-CN": "应决策日期"},
    "xlsx.col.cap_date": {"en": "Last possible dose (day {day})", "zh-CN": "最晚给药日期（研究第{day}天）"},
    "xlsx.col.eot": {"en": "EOT", "zh-CN": "治疗结束访视日期"},
    "xlsx.col.follow_up_end": {"en": "End of follow-up", "zh-CN": "随访结束日期"},
    "xlsx.col.contraception_end": {"en": "Contraception end", "zh-CN": "避孕截止日期"},
    "xlsx.col.state": {"en": "State", "zh-CN": "当前状态"},
    "xlsx.col.warnings": {"en": "Warnings", "zh-CN": "警告数"},
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
    "xlsx.col.date_reason": {"en": "Moved from (why)", "zh-CN": "计划日期调整原因"},
    "xlsx.col.procedures": {"en": "Procedures", "zh-CN": "访视检查项目"},
    "xlsx.col.plan_status": {"en": "Plan status", "zh-CN": "计划状态"},
    "xlsx.col.actual_date": {"en": "Actual date", "zh-CN": "实际访视日期"},
    "xlsx.col.status": {"en": "Actual status", "zh-CN": "实际访视状态"},
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
    "xlsx.kind.dose_n": {"en": "dose {n}", "zh-CN": "第{n}次给药"},
    "xlsx.status.planned": {"en": "planned", "zh-CN": "已计划"},
    "xlsx.status.provisional": {"en": "provisional", "zh-CN": "暂定"},
    "xlsx.status.done": {"en": "done", "zh-CN": "已完成"},
    "xlsx.status.missed": {"en": "missed", "zh-CN": "漏访"},
    "xlsx.status.overdue": {"en": "overdue", "zh-CN": "已逾期"},
    "xlsx.state.in induction": {"en": "in induction", "zh-CN": "诱导治疗中"},
    "xlsx.state.awaiting decision": {"en": "awaiting decision", "zh-CN": "待决策"},
    "xlsx.state.continuing": {"en": "continuing", "zh-CN": "继续治疗中"},
    "xlsx.state.on hold": {"en": "on hold", "zh-CN": "暂停给药中"},
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
                             "zh-CN": "需决策（继续治疗评估、定期评估）"},
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
    "xlsx.warning.LateEndOfTreatmentWarning": {"en": "late EOT: stop decision missing?",
                                               "zh-CN": "治疗结束访视过晚：是否缺少停止治疗决策"},
    "xlsx.warning.SubjectDataWarning": {"en": "subject data to check",
                                        "zh-CN": "受试者信息需核对"},
    "xlsx.warning.StaggerWarning": {"en": "cohort first doses too close",
                                    "zh-CN": "同队列首次给药间隔不足"},
    "xlsx.warning.TransportTextWarning": {"en": "non-ASCII text kept in Dataset-JSON",
                                          "zh-CN": "传输文件中以占位文本代替中文"},
    # ---- issue 22, zh-CN review B9/B17: the workbook's disease names and validation messages -
    # the Overview's key to its disease codes, below the table ("疾病：SLE（系统性红斑狼疮）、…");
    # a code without a name here is left out. The list and whole-number checks' error texts
    # (their titles are the column's header, as the dates' is 日期).
    "xlsx.disease_key": {"en": "Diseases: {items}", "zh-CN": "疾病：{items}"},
    "xlsx.disease_sep": {"en": "; ", "zh-CN": "、"},
    "xlsx.disease": {"en": "{code} ({name})", "zh-CN": "{code}（{name}）"},
    "disease.SLE": {"en": "systemic lupus erythematosus", "zh-CN": "系统性红斑狼疮"},
    "disease.IIM": {"en": "idiopathic inflammatory myopathy", "zh-CN": "特发性炎性肌病"},
    "disease.SSc": {"en": "systemic sclerosis", "zh-CN": "系统性硬化症"},
    "xlsx.list_error": {"en": "Choose a value from the drop-down list",
                        "zh-CN": "请从下拉列表中选择"},
    "xlsx.whole_error": {"en": "Enter a whole number from {least} to {most}",
                         "zh-CN": "请输入 {least} 至 {most} 之间的整数"},
    # ---- issue 23: SDTM export, a free text that SAS transport v5 cannot hold ---------------
    "sdtm.transport_text": {
        "en": "{where}: {dataset}.{variable}: '{value}' is in {json_file}; {xpt_file} holds "
              "'{placeholder}' (SAS transport v5 holds ASCII only)",
        "zh-CN": "{where}：{dataset}.{variable}：“{value}”保存在 {json_file} 中；{xpt_file} 中为占位文本"
                 "“{placeholder}”（传输文件只能包含英文字符）",
    },
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
        # the glossary's text: no package name or version for a CRC (review B10)
        "zh-CN": "{year}年计划日期按预估节假日排定，国务院放假通知发布后请复核"},
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
        "zh-CN": "{decision}未安排任何给药：决策期限在按 {regimen} 方案的首个给药日之前已结束"},
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
                           "zh-CN": "记录日期 {date} 在退出研究日期 {on} 当天或之后"},
    "w.closed_conflict": {
        "en": "{target} falls on a closed day ({closed}); window {start}…{end} has no open "
              "day{why}",
        "zh-CN": "{target} 为停诊日（{closed}）；窗口期 {start} 至 {end} 内无可用工作日{why}"},
    "why.ended": {"en": " before the stop, hold or withdrawal on {day}",
                  "zh-CN": "（须在 {day} 停止治疗、暂停给药或退出研究之前）"},
    "w.late_eot": {
        "en": "EOT planned on {date}, {days} days after the last dose {last} (more than {limit}): "
              "a stop decision is probably missing",
        "zh-CN": "治疗结束访视计划于 {date}，距末次给药 {last} 已 {days} 天（超过 {limit} 天）："
                 "可能缺少停止治疗决策"},
    "w.withdrawn_before_first_dose": {
        "en": "withdrawn on {on}, before the first dose {first}: check withdrawn_on in "
              "subjects.csv",
        "zh-CN": "退出研究日期 {on} 早于首次给药日期 {first}：请核对受试者名单中的退出日期"},
    "w.dose_before_day1": {
        "en": "dose recorded on {date}, before study day 1 ({first}): check the date",
        "zh-CN": "记录的给药日期 {date} 早于研究第1天（{first}）：请核对日期"},
    "r.folded": {
        "en": "{visit} (last dose {last} + {days} days = {target}) falls on or before the EOT: "
              "done at the EOT",
        "zh-CN": "{visit}（末次给药 {last} 后第 {days} 天 = {target}）不晚于治疗结束访视："
                 "在治疗结束访视时完成"},
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
        "zh-CN": "计划 {date} 给药，早于或等于前一次给药 {other} 的实际给药日期 {given}，给药顺序将颠倒"},
    "w.age": {"en": "aged {age} on the consent date {consent}; the protocol admits {low}–{high} "
                    "inclusive",
              "zh-CN": "签署知情同意书日期 {consent} 时年龄 {age} 岁；方案要求 {low}–{high} 岁（含），"
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
                "zh-CN": "{target} {closed}停诊；已调整至窗口期内最近的工作日"},  # B2
    "r.moved_interval": {
        "en": "{target} closed: {closed}; the nearer open day {skipped} is less than {gap} days "
              "from a neighbouring dose: moved to the nearest open day in the window that keeps "
              "the minimum interval",
        "zh-CN": "{target} {closed}停诊；较近的工作日 {skipped} 与相邻给药间隔不足 {gap} 天，"
                 "已调整至窗口期内满足最小给药间隔的最近工作日"},
    "r.no_open_day": {"en": "{target} closed: {closed}; no open day in the window{why}",
                      "zh-CN": "{target} {closed}停诊；窗口期内无可用工作日{why}"},  # B2
    "r.capacity": {"en": "{day} full ({chairs} dosing visits): moved inside the window",
                   "zh-CN": "{day} 当日给药已满（{chairs}例），已调整至窗口期内其他日期"},
    "r.both": {"en": "{first}; {then}", "zh-CN": "{first}；{then}"},
    # ---- the command line (cli.py): every line a person reads -- issue 22 ----------------
    "cli.error": {"en": "error: {text}", "zh-CN": "错误：{text}"},
    "cli.note": {"en": "note: {text}", "zh-CN": "注意：{text}"},
    # the audit trail and the desk's users (cli.py _audit, _users; issue 21)
    "cli.audit_broken": {"en": "{n} problem(s): the audit trail is not intact",
                         "zh-CN": "发现 {n} 个问题：稽查轨迹不完整"},
    "cli.audit_intact": {"en": "{path}: intact, {n} entries",
                         "zh-CN": "{path}：完整，共 {n} 条记录"},
    "cli.user_added": {"en": "added {name} ({role}, shown as {display})",
                       "zh-CN": "已添加用户 {name}（{role}，显示为 {display}）"},
    "cli.user_password": {"en": "new password set for {name}", "zh-CN": "已为 {name} 设置新密码"},
    "cli.user_token": {
        "en": "a new API token for {name}: shown this once, keep it secret (send it as "
              "'Authorization: Bearer TOKEN')",
        "zh-CN": "已为 {name} 生成新的 API 令牌：仅显示这一次，请妥善保密（请求时以 "
                 "'Authorization: Bearer TOKEN' 发送）"},
    "cli.user_disabled": {"en": "{name} is disabled", "zh-CN": "已停用用户 {name}"},
    "cli.problems": {"en": "{n:,} problem(s) found; nothing written",
                     "zh-CN": "共发现 {n:,} 个问题，未写入任何内容"},
    "cli.warning": {"en": "warning: {where}: {text} [{kind}]", "zh-CN": "警告：{where}：{text}【{kind}】"},
    "cli.strict": {"en": "{n} warning(s) under --strict: nothing written",
                   "zh-CN": "--strict 下有 {n} 条警告：未写入任何内容"},
    "cli.check_ok": {
        "en": "{study}: ok — {subjects} subjects, {decisions} decisions, {visits} recorded visits, "
              "{warnings} warning(s)",
        "zh-CN": "{study}：检查通过 — 受试者 {subjects} 例，研究者决策 {decisions} 条，已记录访视 "
                 "{visits} 次，警告 {warnings} 条"},
    "cli.wrote_ics": {
        "en": "wrote {n} calendar(s) to {path}: {new} new, {updated} updated, {cancelled} newly "
              "cancelled, {unchanged} unchanged event(s)",
        "zh-CN": "已写入 {n} 个日历至 {path}：新增 {new} 个、更新 {updated} 个、新取消 {cancelled} "
                 "个、未变 {unchanged} 个事件"},
    "cli.wrote_xlsx": {"en": "wrote {path}: {subjects} subjects, {visits} visits",
                       "zh-CN": "已写入 {path}：受试者 {subjects} 例，访视 {visits} 次"},
    "cli.wrote_usdm": {"en": "wrote {path}: USDM 4.0.0 schedule of {protocol}",
                       "zh-CN": "已写入 {path}：{protocol} 的 USDM 4.0.0 访视计划"},
    "cli.wrote_sdtm": {"en": "wrote {n} file(s) to {path}: {what}",
                       "zh-CN": "已写入 {n} 个文件至 {path}：{what}"},
    "cli.wrote_handout": {"en": "wrote {path}: {visits} visit(s), {tbc} to be confirmed{closed}",
                          "zh-CN": "已写入 {path}：访视 {visits} 次，待确认 {tbc} 次{closed}"},
    "cli.handout_closed": {
        "en": "; {n} on a closed day, printed as 'date to be confirmed by the study team': tell "
              "the participant the date",
        "zh-CN": "；其中 {n} 次在停诊日，已印为“具体日期由研究人员另行通知”：请告知受试者具体日期"},
    "cli.wrote_due": {"en": "wrote {path}: {rows} visit(s) over {days} day(s)",
                      "zh-CN": "已写入 {path}：{days} 天内访视 {rows} 次"},
    # what an import, record or decide changes (store/entry_values.py EntryPlan.describe)
    "entries.subject": {"en": "subject {subject}", "zh-CN": "受试者 {subject}"},
    "entries.note": {"en": "{visit} note “{note}”", "zh-CN": "{visit} 备注“{note}”"},
    "entries.amended": {"en": "amended: {reason}", "zh-CN": "已更正：{reason}"},
    "entries.decision": {"en": "decision: {text}", "zh-CN": "研究者决策：{text}"},
    "entries.by": {"en": " by {who}", "zh-CN": "，研究者 {who}"},
    "entries.conflict": {"en": "conflict: {text}", "zh-CN": "冲突：{text}"},
    "entries.warning": {"en": "warning: {text}", "zh-CN": "警告：{text}"},
    "entries.applied": {
        "en": "{n} change(s) applied, {conflicts} conflict(s) not applied, {unchanged} {entries} "
              "already recorded",
        "zh-CN": "已写入 {n} 项更改，{conflicts} 项冲突未写入，{unchanged} {entries}已记录"},
    "entries.would_apply": {
        "en": "{n} change(s) would apply, {conflicts} conflict(s) not applied, {unchanged} "
              "{entries} already recorded",
        "zh-CN": "将写入 {n} 项更改，{conflicts} 项冲突不写入，{unchanged} {entries}已记录"},
    "entries.one": {"en": "entry", "zh-CN": "项"},
    "entries.many": {"en": "entries", "zh-CN": "项"},
    "entries.nothing": {"en": "nothing to change ({unchanged} entries already recorded)",
                        "zh-CN": "无需更改（{unchanged} 项已记录）"},
    "cli.dry_run": {"en": "dry run: nothing written (add --apply to write)",
                    "zh-CN": "预览：未写入任何内容（加 --apply 写入）"},
    # errors as the CLI prints them in Chinese (core/errors.py ScheduleError.render): keyed by
    # the English message or hint; a text without an entry stays as written
    "err.unknown subject": {"en": "unknown subject", "zh-CN": "未知受试者"},
    "err.no such study folder": {"en": "no such study folder", "zh-CN": "研究文件夹不存在"},
    "hint.give the folder that holds study.toml and subjects.csv": {
        "en": "give the folder that holds study.toml and subjects.csv",
        "zh-CN": "请给出包含 study.toml 和 subjects.csv 的文件夹"},
    "err.not an ISO date": {"en": "not an ISO date", "zh-CN": "日期格式不是 YYYY-MM-DD"},
    "err.no such date": {"en": "no such date", "zh-CN": "日期不存在"},
    "hint.write dates as YYYY-MM-DD, e.g. 2026-04-03": {
        "en": "write dates as YYYY-MM-DD, e.g. 2026-04-03",
        "zh-CN": "日期格式应为 YYYY-MM-DD，例如 2026-04-03"},
    "hint.known subjects:": {"en": "known subjects: {rest}", "zh-CN": "已有受试者：{rest}"},
    "hint.did you mean": {"en": "did you mean {rest}?", "zh-CN": "是否应为 {rest}？"},
    "err.no Chinese font is installed: the PDF would print boxes": {
        "en": "no Chinese font is installed: the PDF would print boxes",
        "zh-CN": "未安装中文字体：PDF 中的汉字将显示为方框"},
    "hint.install fonts-noto-cjk (sudo apt install fonts-noto-cjk), or write -o FILE.html": {
        "en": "install fonts-noto-cjk (sudo apt install fonts-noto-cjk), or write -o FILE.html",
        "zh-CN": "请安装 fonts-noto-cjk（sudo apt install fonts-noto-cjk），或改为 -o FILE.html"},
    "err.unknown visit": {"en": "unknown visit", "zh-CN": "未知访视"},
    "err.unknown status": {"en": "unknown status", "zh-CN": "未知状态"},
    "err.missing value": {"en": "missing value", "zh-CN": "缺少取值"},
    "err.in the future": {"en": "in the future", "zh-CN": "晚于今日"},
    # ---- the plan as a terminal table (reports/render.py to_table) -- issue 22 -----------
    "table.as_of": {"en": " — as of {today}", "zh-CN": "（截至 {today}）"},
    "table.subject": {
        "en": "Subject {subject} · cohort {cohort} · {dose_level} · first dose {first} · {outcome}",
        "zh-CN": "受试者 {subject} · 队列 {cohort} · {dose_level} · 首次给药 {first} · {outcome}"},
    "table.now": {"en": " · now {state}", "zh-CN": " · 当前：{state}"},
    "table.doses": {"en": "doses done {done}, missed {missed}, to come {planned}",
                    "zh-CN": "已给药 {done} 次，漏给药 {missed} 次，待给药 {planned} 次"},
    "table.overdue": {"en": ", overdue {overdue}", "zh-CN": "，逾期 {overdue} 次"},
    "table.last_dose": {"en": "last dose allowed {date}", "zh-CN": "最晚给药日期 {date}"},
    "table.decision_due": {"en": "decision due {date}", "zh-CN": "应决策日期 {date}"},
    "table.contraception": {"en": "contraception until {date}", "zh-CN": "避孕截止日期 {date}"},
    "table.separator": {"en": "; ", "zh-CN": "；"},
    "table.colon": {"en": ": ", "zh-CN": "："},
    "table.provisional": {
        "en": "provisional (under --assume {regimen}, not a decision): {doses} more doses, last "
              "{last}; EOT {eot}; follow-up until {fu}; contraception until {contraception}",
        "zh-CN": "暂定（按 --assume {regimen} 推算，并非研究者决策）：还将给药 {doses} 次，末次 "
                 "{last}；治疗结束访视 {eot}；随访至 {fu}；避孕至 {contraception}"},
    "table.day": {"en": "{day} {weekday}", "zh-CN": "{day}（{weekday}）"},
    "table.deviation": {"en": "* done outside its window (protocol deviation)",
                        "zh-CN": "* 在窗口期外完成（方案偏离）"},
    "table.provisional_note": {"en": "provisional: planned under --assume {assume}, not a decision",
                               "zh-CN": "暂定：按 --assume {assume} 计划，并非研究者决策"},
    "table.col.visit": {"en": "visit", "zh-CN": "访视"},
    "table.col.kind": {"en": "kind", "zh-CN": "访视类型"},
    "table.col.day": {"en": "day", "zh-CN": "研究日"},
    "table.col.target": {"en": "target", "zh-CN": "理论日期"},
    "table.col.planned": {"en": "planned", "zh-CN": "计划日期"},
    "table.col.window": {"en": "window", "zh-CN": "窗口期"},
    "table.col.status": {"en": "status", "zh-CN": "状态"},
    "table.col.dose": {"en": "dose", "zh-CN": "给药序号"},
    "table.col.regimen": {"en": "regimen", "zh-CN": "给药方案"},
    "table.col.actual": {"en": "actual", "zh-CN": "实际日期"},
    "outcome.awaiting decision": {"en": "awaiting decision", "zh-CN": "待决策"},
    "outcome.on hold": {"en": "on hold", "zh-CN": "暂停给药中"},
    "outcome.stopped": {"en": "stopped", "zh-CN": "已停药"},
    "outcome.withdrawn": {"en": "withdrawn", "zh-CN": "已退出研究"},
    "outcome.treated to the cap": {"en": "treated to the cap", "zh-CN": "已达最长治疗期"},
    "outcome.provisional to the cap": {"en": "provisional to the cap",
                                       "zh-CN": "暂定治疗至最长治疗期"},
    # the same reasons in the workbook, beside the target date (so without it) -- issue 22
    "xlsx.r.moved": {"en": "{target} closed: {closed}", "zh-CN": "{target} {closed}停诊"},
    "xlsx.r.no_open_day": {"en": "{target} closed: {closed}; no open day in the window{why}",
                           "zh-CN": "{target} {closed}停诊；窗口期内无可用工作日{why}"},
    "xlsx.r.capacity": {"en": "{day} full ({chairs} dosing visits)",
                        "zh-CN": "{day} 当日给药已满（{chairs}例）"},
    "closed.weekend": {"en": "weekend ({weekday})", "zh-CN": "{weekday}"},
    "closed.holiday": {"en": "{name}", "zh-CN": "{name}"},  # the holidays package's name
    "closed.site": {"en": "site closed: {reason}", "zh-CN": "中心停诊：{reason}"},
    "open.site": {"en": "site open: {reason}", "zh-CN": "中心开诊：{reason}"},
    "open.workday": {"en": "adjusted working day (official make-up day)", "zh-CN": "调休工作日"},
    "decision": {"en": "{action}{details} on {on} ({source})",
                 "zh-CN": "{on} 决策（{action}{details}；{source}）"},  # one bracket (review J5)
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
                        "zh-CN": "疾病活动度评分（{score}）"},
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
                    "zh-CN": "本清单仅以受试者编号、队列和剂量组标识受试者，不含姓名等身份信息。"},
    "due.section.today": {"en": "visits today", "zh-CN": "今日访视"},
    "due.section.in-window": {"en": "still in window (planned earlier)",
                              "zh-CN": "窗口期内未完成（原计划日期已过）"},
    "due.section.closing": {"en": "window closes today or on the next open day",
                            "zh-CN": "窗口期今日或下一工作日截止"},
    "due.section.overdue": {"en": "overdue (window ended, nothing recorded)",
                            "zh-CN": "已逾期（窗口期已过，未记录）"},
    "due.section.decision": {"en": "decisions due", "zh-CN": "待研究者决策"},
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
    # the one way an overdue visit's lateness is written, on the page and in the table (C4)
    "due.overdue_days": {"en": "overdue {n} d", "zh-CN": "已逾期{n}天"},
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
    "handout.from": {"en": "Visits from {date}", "zh-CN": "自{date}起的访视安排"},
    "handout.col.date": {"en": "Date", "zh-CN": "日期"},
    "handout.col.time": {"en": "Time", "zh-CN": "时间"},
    "handout.col.what": {"en": "What happens", "zh-CN": "访视内容"},
    "handout.col.window": {"en": "If you cannot come on this day, you may come from … to …",
                           "zh-CN": "如当天无法到访，可在以下日期之间到访"},
    "handout.window": {"en": "{start} to {end}", "zh-CN": "{start}至 {end}"},  # A5, A6
    "handout.am": {"en": "{time} am", "zh-CN": "上午{time}"},
    "handout.pm": {"en": "{time} pm", "zh-CN": "下午{time}"},
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
        "zh-CN": "如您无法在上述日期内到访，或身体不适，请尽快致电研究团队。如错过某次输液，"
                 "不会另行补输；研究人员会告知您下次到访的时间。",
    },
    "handout.bring": {
        "en": "Please bring this schedule to every visit.",
        "zh-CN": "每次到访时请携带本访视安排表，以及身份证、就诊卡。",
    },
    "handout.footer": {
        "en": "{protocol} · participant schedule, version {version} · plan of {generated}",
        "zh-CN": "{protocol} · 受试者访视安排表 · 版本号：{version} · 计划生成于 {generated}",
    },
    "handout.page": {"en": "page {page} of {pages}", "zh-CN": "第 {page} 页，共 {pages} 页"},
    # ---- issue 21: the site desk (desk/): pages, buttons, API errors (append only) ----------
    "desk.title": {"en": "Site desk", "zh-CN": "研究中心工作台"},
    "desk.nav.today": {"en": "Today", "zh-CN": "今日"},
    "desk.nav.subjects": {"en": "Subjects", "zh-CN": "受试者"},
    "desk.nav.workbook": {"en": "Workbook", "zh-CN": "工作簿"},
    "desk.nav.exports": {"en": "Exports", "zh-CN": "导出"},
    "desk.nav.audit": {"en": "Audit trail", "zh-CN": "稽查轨迹"},
    "desk.nav.logout": {"en": "Log out", "zh-CN": "退出登录"},
    "desk.nav.other_language": {"en": "中文", "zh-CN": "English"},
    "desk.user": {"en": "{name} ({role})", "zh-CN": "{name}（{role}）"},
    "desk.role.monitor": {"en": "monitor", "zh-CN": "监查员"},
    "desk.role.nurse": {"en": "nurse", "zh-CN": "研究护士"},
    "desk.role.investigator": {"en": "investigator", "zh-CN": "研究者"},
    "desk.role.coordinator": {"en": "coordinator", "zh-CN": "临床研究协调员"},
    "desk.login.title": {"en": "Log in", "zh-CN": "登录"},
    "desk.login.username": {"en": "User name", "zh-CN": "用户名"},
    "desk.login.password": {"en": "Password", "zh-CN": "密码"},
    "desk.login.submit": {"en": "Log in", "zh-CN": "登录"},
    "desk.login.failed": {"en": "Wrong user name or password.", "zh-CN": "用户名或密码错误。"},
    "desk.login.throttled": {
        "en": "Too many failed attempts: try again in {minutes} minutes.",
        "zh-CN": "登录失败次数过多，请 {minutes} 分钟后再试。",
    },
    "desk.login.needed": {"en": "Please log in.", "zh-CN": "请先登录。"},
    "desk.logged_out": {"en": "You are logged out.", "zh-CN": "您已退出登录。"},
    "desk.forbidden": {"en": "Your role may not do this.", "zh-CN": "您的角色无此权限。"},
    "desk.not_found": {"en": "Not found.", "zh-CN": "未找到。"},
    "desk.csrf": {"en": "The form has expired: reload the page and try again.",
                  "zh-CN": "表单已过期，请刷新页面后重试。"},
    "desk.too_large": {"en": "The file is too large (at most {mb} MB).",
                       "zh-CN": "文件过大（最大 {mb} MB）。"},
    "desk.error": {"en": "Not saved: {message}", "zh-CN": "未保存：{message}"},
    "desk.today.title": {"en": "Visits on {day}", "zh-CN": "{day}的访视"},
    "desk.today.today": {"en": "Today", "zh-CN": "今天"},
    "desk.today.tomorrow": {"en": "Tomorrow", "zh-CN": "明天"},
    "desk.today.pick": {"en": "Date", "zh-CN": "日期"},
    "desk.today.show": {"en": "Show", "zh-CN": "显示"},
    "desk.today.done": {"en": "Record done", "zh-CN": "记录已完成"},
    "desk.today.missed": {"en": "Record missed", "zh-CN": "记录漏访"},
    "desk.today.reason": {"en": "Reason", "zh-CN": "漏访原因"},
    "desk.today.note": {"en": "Note", "zh-CN": "备注"},
    "desk.today.note_or_reason": {"en": "Note (missed: the reason)", "zh-CN": "备注（漏访请填写原因）"},
    "desk.today.reason_needed": {"en": "A missed visit needs its reason in the note.",
                                 "zh-CN": "记录漏访时请在备注中填写原因。"},
    "desk.today.calls": {"en": "To remind tomorrow ({day})", "zh-CN": "明日提醒名单（{day}）"},
    "desk.today.no_calls": {"en": "Nobody is due tomorrow.", "zh-CN": "明日无访视。"},
    "desk.recorded": {"en": "Recorded: {subject} {visit} {status}",
                      "zh-CN": "已记录：{subject} {visit} {status}"},
    "desk.unchanged": {"en": "Already recorded so: nothing changed.",
                       "zh-CN": "已有相同记录，未作更改。"},
    "desk.conflict": {"en": "Not saved, conflict: {message}", "zh-CN": "未保存，记录冲突：{message}"},
    "desk.amend": {"en": "Correct the recorded entry, because", "zh-CN": "更正已有记录，原因"},
    "desk.subjects.title": {"en": "Overview of the subjects", "zh-CN": "受试者总览"},
    "desk.subjects.filter": {"en": "Filter", "zh-CN": "筛选"},
    "desk.subjects.search": {"en": "Subject, cohort, dose level or regimen",
                             "zh-CN": "受试者、队列、剂量组或给药方案"},
    "desk.subjects.all_states": {"en": "every state", "zh-CN": "全部状态"},
    "desk.subjects.none": {"en": "No subject matches.", "zh-CN": "没有符合条件的受试者。"},
    "desk.subject.title": {"en": "Subject {id}", "zh-CN": "受试者 {id}"},
    "desk.subject.timeline": {"en": "Timeline", "zh-CN": "时间轴"},
    "desk.subject.visits": {"en": "Visits", "zh-CN": "访视"},
    "desk.subject.warnings": {"en": "Warnings", "zh-CN": "警告"},
    "desk.subject.no_warnings": {"en": "No warnings.", "zh-CN": "无警告。"},
    "desk.subject.audit": {"en": "Audit history", "zh-CN": "稽查记录"},
    "desk.subject.no_audit": {"en": "No change recorded yet.", "zh-CN": "尚无变更记录。"},
    "desk.subject.handout": {"en": "Participant's schedule (PDF)", "zh-CN": "受试者访视安排表（PDF）"},
    "desk.subject.handout_lang": {"en": "in {language}", "zh-CN": "{language}版"},
    "desk.subject.feed": {"en": "Calendar subscription", "zh-CN": "日历订阅"},
    "desk.subject.feed_hint": {
        "en": "Whoever has this address can read the calendar: hand it out like a password.",
        "zh-CN": "任何持有此地址的人都能查看该日历，请像密码一样妥善保管。",
    },
    "desk.subject.rotate": {"en": "New address (the old one stops working)",
                            "zh-CN": "更换地址（旧地址立即失效）"},
    "desk.subject.rotated": {"en": "The calendar has a new address.", "zh-CN": "日历订阅地址已更换。"},
    "desk.subject.decide": {"en": "Decide", "zh-CN": "研究者决策"},
    "desk.subject.unknown": {"en": "No subject {id}.", "zh-CN": "无受试者 {id}。"},
    "desk.timeline.today": {"en": "today", "zh-CN": "今天"},
    "desk.timeline.label": {"en": "Timeline of subject {id}: {counts}",
                            "zh-CN": "受试者 {id} 的时间轴：{counts}"},
    "desk.decide.title": {"en": "Decision for subject {id}", "zh-CN": "受试者 {id} 的研究者决策"},
    "desk.decide.options": {"en": "The regimens side by side (decided on {day})",
                            "zh-CN": "各给药方案对比（决策日期 {day}）"},
    "desk.decide.doses": {"en": "Doses", "zh-CN": "给药次数"},
    "desk.decide.dates": {"en": "Dose dates", "zh-CN": "给药日期"},
    "desk.decide.last_dose": {"en": "Last dose", "zh-CN": "末次给药日期"},
    "desk.decide.load": {"en": "Site's busiest of these days", "zh-CN": "中心给药负荷（最多）"},
    "desk.decide.load_value": {"en": "{n} on {day} (of {cap})", "zh-CN": "{day} {n}例（上限 {cap}）"},
    "desk.decide.load_nocap": {"en": "{n} on {day}", "zh-CN": "{day} {n}例"},
    "desk.decide.not_possible": {"en": "not possible: {message}", "zh-CN": "不可行：{message}"},
    "desk.decide.compare": {"en": "Compare", "zh-CN": "对比"},
    "desk.decide.choose_this": {"en": "Choose this regimen", "zh-CN": "选择此方案"},
    "desk.decide.sign": {"en": "Sign the decision", "zh-CN": "签名并保存决策"},
    "desk.decide.password": {"en": "Your password (electronic signature)",
                             "zh-CN": "请再次输入您的密码（电子签名）"},
    "desk.decide.meaning": {
        "en": "By signing I, {name}, as investigator, take this decision for subject {id}.",
        "zh-CN": "本人 {name} 作为研究者签名，确认对受试者 {id} 作出上述决策。",
    },
    "desk.decide.bad_password": {"en": "Wrong password: the decision was not signed.",
                                 "zh-CN": "密码错误，决策未签名。"},
    "desk.decide.signed": {"en": "Signed: {decision}", "zh-CN": "已签名：{decision}"},
    "desk.decide.choose": {"en": "(none)", "zh-CN": "（无）"},
    "desk.workbook.title": {"en": "The coordinators' workbook", "zh-CN": "协调员工作簿"},
    "desk.workbook.download": {"en": "Download the current workbook (.xlsx)",
                               "zh-CN": "下载当前工作簿（.xlsx）"},
    "desk.workbook.upload": {"en": "Upload a filled workbook", "zh-CN": "上传已填写的工作簿"},
    "desk.workbook.preview": {"en": "Preview", "zh-CN": "预览"},
    "desk.workbook.new": {"en": "New entries", "zh-CN": "新增记录"},
    "desk.workbook.amended": {"en": "Corrections", "zh-CN": "更正记录"},
    "desk.workbook.decisions": {"en": "New decisions", "zh-CN": "新增决策"},
    "desk.workbook.conflicts": {"en": "Conflicts (not applied)", "zh-CN": "冲突（不会导入）"},
    "desk.workbook.warnings": {"en": "Warnings the entries add", "zh-CN": "导入后新增的警告"},
    "desk.workbook.nothing": {"en": "Nothing to import: every entry is recorded already.",
                              "zh-CN": "无需导入：所有记录均已存在。"},
    "desk.workbook.apply": {"en": "Apply these changes", "zh-CN": "确认导入"},
    "desk.workbook.applied": {"en": "Imported: {n} change(s).", "zh-CN": "已导入：{n} 项变更。"},
    "desk.workbook.expired": {"en": "Upload the workbook again (the preview expired).",
                              "zh-CN": "预览已失效，请重新上传工作簿。"},
    "desk.workbook.only_coordinators": {"en": "Only coordinators import workbooks.",
                                        "zh-CN": "仅协调员可导入工作簿。"},
    "desk.exports.title": {"en": "Exports", "zh-CN": "导出"},
    "desk.exports.plan_csv": {"en": "The plan (CSV)", "zh-CN": "访视计划（CSV）"},
    "desk.exports.plan_json": {"en": "The plan (JSON)", "zh-CN": "访视计划（JSON）"},
    "desk.exports.calendar": {"en": "Site calendar, every subject (.ics)",
                              "zh-CN": "中心日历，全部受试者（.ics）"},
    "desk.exports.sdtm": {"en": "SDTM datasets (.zip: XPT and Dataset-JSON)",
                          "zh-CN": "SDTM 数据集（.zip：XPT 与 Dataset-JSON）"},
    "desk.exports.usdm": {"en": "USDM schedule of the protocol (JSON)",
                          "zh-CN": "方案访视安排 USDM（JSON）"},
    "desk.exports.due": {"en": "Day list (HTML)", "zh-CN": "每日访视清单（HTML）"},
    "desk.audit.title": {"en": "Audit trail", "zh-CN": "稽查轨迹"},
    "desk.audit.subject": {"en": "Subject", "zh-CN": "受试者"},
    "desk.audit.user": {"en": "User", "zh-CN": "用户"},
    "desk.audit.when": {"en": "When", "zh-CN": "时间"},
    "desk.audit.role": {"en": "Role", "zh-CN": "角色"},
    "desk.audit.via": {"en": "How", "zh-CN": "途径"},
    "desk.audit.what": {"en": "What changed", "zh-CN": "变更内容"},
    "desk.audit.why": {"en": "Why", "zh-CN": "原因"},
    "desk.via.desk": {"en": "desk", "zh-CN": "工作台"},
    "desk.via.api": {"en": "API", "zh-CN": "接口"},
    "desk.via.cli": {"en": "command line", "zh-CN": "命令行"},
    "desk.via.import": {"en": "workbook import", "zh-CN": "工作簿导入"},
    "desk.audit.none": {"en": "No entry matches.", "zh-CN": "没有符合条件的记录。"},
    "desk.audit.unavailable": {"en": "The audit trail is not available in this installation.",
                               "zh-CN": "此安装尚无稽查轨迹功能。"},
    "desk.api.bad_json": {"en": "the body must be a JSON object", "zh-CN": "请求体必须是 JSON 对象"},
    "desk.api.missing": {"en": "missing field: {field}", "zh-CN": "缺少字段：{field}"},
    "desk.api.bad_field": {"en": "bad value of {field}: {hint}", "zh-CN": "{field} 的值无效：{hint}"},
    "desk.api.unauthorized": {"en": "log in or send Authorization: Bearer TOKEN",
                              "zh-CN": "请登录，或发送 Authorization: Bearer TOKEN"},
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
    "xlsx.col.status": ("Status", "状态"),  # before issue 22 named the entry column apart
    "xlsx.col.warnings": ("警告",),
    "xlsx.col.action": ("决策",),
    "xlsx.col.weeks": ("周数",),
    "xlsx.col.until": ("截至日期",),
    "xlsx.action.continue": ("继续",),
    "xlsx.action.stop": ("停止",),
    "xlsx.action.hold": ("暂停",),
    "xlsx.action.resume": ("恢复",),
}


#: Fields a language leaves out on purpose (tests/test_catalogue.py allows exactly these):
#: the estimated-holiday warning names no package or version to a Chinese CRC (review B10).
DROPPED_FIELDS: Final[Mapping[tuple[str, str], frozenset[str]]] = {
    ("w.provisional_holidays", "zh-CN"): frozenset({"source"}),
}


def render_error(error: ScheduleError, lang: str) -> str:
    """An error as a person reads it in ``lang``: ``str(error)`` in English; in another
    language its message and hint in the catalogue's words where the catalogue has them (ids
    ``err.<message>`` and ``hint.<hint>``, keyed by the English text; ``hint.<head>:`` for a
    hint ``head: rest``, ``hint.did you mean`` for a suggestion), else as written.

    >>> from cc312_schedule.core.errors import UsageError
    >>> print(render_error(UsageError("unknown subject", key="SUBJECT", value="3",
    ...                               hint="did you mean 003?"), "zh-CN"))
    SUBJECT：未知受试者：'3'（是否应为 003？）
    """
    if lang == "en":
        return str(error)

    def say(prefix: str, text: str) -> str:
        key = f"{prefix}.{text}"
        if key in MESSAGES:
            return message(lang, key)
        head, sep, rest = text.partition(": ")  # "known subjects: 001, 002"
        if sep and f"{prefix}.{head}:" in MESSAGES:
            return message(lang, f"{prefix}.{head}:", rest=rest)
        if text.startswith("did you mean ") and f"{prefix}.did you mean" in MESSAGES:
            return message(lang, f"{prefix}.did you mean", rest=text[13:].rstrip("?"))
        return text

    colon = message(lang, "table.colon").strip() or ":"
    return error.render(say=say, colon=colon, space="", brackets=("（", "）"))


def language_from_env(environ: Mapping[str, str]) -> str | None:
    """The catalogue language the environment asks for (the first of LC_ALL, LC_MESSAGES,
    LANG that is set, as POSIX reads them), or None when it names neither.

    >>> language_from_env({"LANG": "zh_CN.UTF-8"}), language_from_env({"LC_ALL": "C.UTF-8"})
    ('zh-CN', 'en')
    >>> language_from_env({"LC_ALL": "", "LANG": "de_DE.UTF-8"}) is None
    True
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            code = value.split(".")[0].split("@")[0].replace("-", "_").lower()
            if code in ("zh_cn", "zh_sg", "zh_hans", "zh_hans_cn", "zh"):
                return "zh-CN"
            if code in ("c", "posix") or code.startswith("en"):
                return "en"
            return None
    return None


def pick_language(*, given: str | None, study: str | None, environ: Mapping[str, str]) -> str:
    """The language of the command line's messages: ``given`` (``--language``), else the
    study's ``language``, else the environment's (:func:`language_from_env`), else English.

    >>> env = {"LANG": "zh_CN.UTF-8"}
    >>> (pick_language(given="en", study="zh-CN", environ=env),
    ...  pick_language(given=None, study="zh-CN", environ={}),
    ...  pick_language(given=None, study=None, environ=env),
    ...  pick_language(given=None, study="xx", environ={"LANG": "fr_FR"}))
    ('en', 'zh-CN', 'zh-CN', 'en')
    """
    for lang in (given, study, language_from_env(environ)):
        if lang in LANGUAGES:
            return lang
    return "en"


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
    ('外周血B细胞（CD19+）计数', '疾病活动度评分（MMT-8）')
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
    '2026-11-22 周日停诊；已调整至窗口期内最近的工作日'
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
