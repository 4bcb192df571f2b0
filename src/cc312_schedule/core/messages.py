"""The one catalogue of user-facing labels, in English and Simplified Chinese (``zh-CN``).

Calendars (and later the Excel workbooks) take every label from :data:`MESSAGES`, a plain
table keyed by message id; :func:`message` picks the language and fills the ``{fields}``.
Only labels live here: subject ids, visit names (``W6D4``, ``D28``, ``EOT``) and dose levels
are identifiers and are never translated; procedures and warnings come from the protocol
and the engine as written.

>>> message("en", "summary.dose", subject="003", n=12, visit="W6D4", dose_level="DL2")
'003 · Dose 12 · W6D4 · DL2'
>>> message("zh-CN", "summary.dose", subject="003", n=12, visit="W6D4", dose_level="DL2")
'003 · 第12次给药 · W6D4 · DL2'
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
           "regimen_label", "render_error", "say_error", "warning_label", "weekday_name"]

LANGUAGES: Final = ("en", "zh-CN")

#: message id -> language -> text (``str.format`` fields in braces). Every id has every language.
MESSAGES: Final[Mapping[str, Mapping[str, str]]] = {
    # ---- event summaries (the line a nurse sees in the calendar) ----------------------------
    "summary.dose": {
        "en": "{subject} · Dose {n} · {visit} · {dose_level}",
        "zh-CN": "{subject} · 第{n}次给药 · {visit} · {dose_level}",
    },
    "summary.visit": {  # non-dose visits: "003 · D28 assessment · DL2"
        "en": "{subject} · {visit} {kind} · {dose_level}",
        "zh-CN": "{subject} · {visit} {kind} · {dose_level}",
    },
    "summary.flagged": {  # a status that calcurse cannot show otherwise: "CANCELLED: 003 · ..."
        "en": "{flag}: {summary}",
        "zh-CN": "【{flag}】{summary}",
    },
    "flag.cancelled": {"en": "CANCELLED", "zh-CN": "已取消"},
    "flag.missed": {"en": "MISSED", "zh-CN": "漏访"},
    "flag.provisional": {"en": "PROVISIONAL", "zh-CN": "暂定"},
    # a visit left on a closed day, no open day in its window: the team gives the date
    "flag.tbc": {"en": "DATE TO BE CONFIRMED", "zh-CN": "日期待定"},
    "flag.done": {"en": "DONE", "zh-CN": "已完成"},
    # the subject as every output shows it: the id of subjects.csv as it is, 003 (review C9: the
    # number staff write on paper and type in every command; the calendars' former S003 is
    # still read back by publish, calendars.serverview)
    "subject": {"en": "{id}", "zh-CN": "{id}"},
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
        "en": "{study} · subject {subject} (cohort {cohort}, {dose_level})",
        "zh-CN": "{study} · 受试者 {subject}（队列 {cohort}，{dose_level}）",
    },
    "calendar.site": {"en": "{study} · {site} · all subjects", "zh-CN": "{study} · {site} · 全部受试者"},
    "calendar.selection": {
        "en": "{study} · {site} · subjects {subjects}",
        "zh-CN": "{study} · {site} · 受试者 {subjects}",
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
                 "“{placeholder}”（SDTM XPT 仅支持 ASCII）",
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
    # a row of a study file named in a sentence (a field named "source" holding "FILE:LINE"):
    # Chinese says which line in words (review B11); the file keeps its name, as on disk
    "source.line": {"en": "{file}:{line}", "zh-CN": "{file} 第{line}行"},
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
        # as the reasons say it: a holiday's label has brackets of its own, 春节假期（预估） (B2)
        "zh-CN": "{target} {closed}停诊；窗口期 {start} 至 {end} 内无可用工作日{why}"},
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
              "already recorded, nothing to write",
        "zh-CN": "已写入 {n} 项更改，{conflicts} 项冲突未写入，{unchanged} {entries}此前已记录（无需"
                 "重复写入）"},
    "entries.would_apply": {
        "en": "{n} change(s) would apply, {conflicts} conflict(s) not applied, {unchanged} "
              "{entries} already recorded, nothing to write",
        "zh-CN": "将写入 {n} 项更改，{conflicts} 项冲突不写入，{unchanged} {entries}此前已记录（无需"
                 "重复写入）"},
    "entries.one": {"en": "entry", "zh-CN": "项"},
    "entries.many": {"en": "entries", "zh-CN": "项"},
    "entries.nothing": {"en": "nothing to change ({unchanged} entries already recorded)",
                        "zh-CN": "无需更改（{unchanged} 项此前已记录）"},
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
    # ---- issue 22: every CLI error in Chinese (cli-wave) -------------------------------------
    # Keyed by the English text as raised; a {field} in the key matches any text there (each
    # field said again the same way); the Chinese may drop a field (a technical detail) and may
    # hold {value}, the error's bad value, which is then not repeated after the message.
    "err.and {count} more errors like the ones above (not shown)": {
        "en": "and {count} more errors like the ones above (not shown)",
        "zh-CN": "另有 {count} 个同类错误，未逐一列出"},
    # the command line's own errors (argparse, through cli._Parser.error)
    "err.unrecognized arguments: {args}": {"en": "unrecognized arguments: {args}",
                                          "zh-CN": "无法识别的参数：{args}"},
    "err.the following arguments are required: {args}": {
        "en": "the following arguments are required: {args}", "zh-CN": "缺少必需的参数：{args}"},
    "err.one of the arguments {args} is required": {
        "en": "one of the arguments {args} is required", "zh-CN": "须给出以下参数之一：{args}"},
    "err.argument {arg}: {rest}": {"en": "argument {arg}: {rest}", "zh-CN": "参数 {arg}：{rest}"},
    "err.expected one argument": {"en": "expected one argument", "zh-CN": "缺少参数值"},
    "err.not allowed with argument {other}": {"en": "not allowed with argument {other}",
                                              "zh-CN": "不能与参数 {other} 同时使用"},
    "err.invalid choice: {given} (choose from {choices})": {
        "en": "invalid choice: {given} (choose from {choices})",
        "zh-CN": "无效的取值：{given}（可选：{choices}）"},
    "err.invalid {kind} value: {given}": {"en": "invalid {kind} value: {given}",
                                          "zh-CN": "取值应为数字：{given}"},
    "err.{given} is outside {years}: check the year": {
        "en": "{given} is outside {years}: check the year",
        "zh-CN": "{given} 不在 {years} 年之间：请检查年份"},
    "err.not a whole number of weeks: {given}": {"en": "not a whole number of weeks: {given}",
                                                 "zh-CN": "持续周数应为整数：{given}"},
    "err.more than the protocol's cap: {given}": {"en": "more than the protocol's cap: {given}",
                                                  "zh-CN": "超过方案规定的最长治疗期：{given}"},
    "err.not an action: {given} (use {actions}, or {words})": {
        "en": "not an action: {given} (use {actions}, or {words})",
        "zh-CN": "无效的决策类型：{given}（请使用 {words}）"},
    "err.not an ISO date-time: {given}": {"en": "not an ISO date-time: {given}",
                                          "zh-CN": "日期时间格式无效：{given}"},
    "err.needs a time zone: {given} (e.g. {example})": {
        "en": "needs a time zone: {given} (e.g. {example})",
        "zh-CN": "缺少时区：{given}（例如 2026-11-25T08:00:00Z 或 +08:00）"},
    "hint.see '{prog} --help'": {"en": "see '{prog} --help'", "zh-CN": "参见 '{prog} --help'"},
    # dates, wherever typed
    "err.no such date {given}: check the month and day": {
        "en": "no such date {given}: check the month and day",
        "zh-CN": "日期不存在：{given}（请检查月份和日期）"},
    "err.not an ISO date {given}: write it as YYYY-MM-DD, e.g. 2026-04-03": {
        "en": "not an ISO date {given}: write it as YYYY-MM-DD, e.g. 2026-04-03",
        "zh-CN": "日期格式应为 YYYY-MM-DD，例如 2026-04-03：{given}"},
    "err.in the future (today is {today})": {"en": "in the future (today is {today})",
                                             "zh-CN": "晚于今日（今日为 {today}）"},
    "err.before the subject's first dose on {first}": {
        "en": "before the subject's first dose on {first}",
        "zh-CN": "早于该受试者的首次给药日期 {first}"},
    "hint.check the date: nothing is done before day 1": {
        "en": "check the date: nothing is done before day 1",
        "zh-CN": "请检查日期：首次给药（第1天）之前不会有访视"},
    "hint.enter what has happened; plan future visits in the plan, not here": {
        "en": "enter what has happened; plan future visits in the plan, not here",
        "zh-CN": "此处只记录已发生的访视；未来的访视由访视计划安排"},
    "err.outside the study's span ({start} to {end})": {
        "en": "outside the study's span ({start} to {end})",
        "zh-CN": "超出研究期间（{start} 至 {end}）"},
    "hint.check the year": {"en": "check the year", "zh-CN": "请检查年份"},
    # the import's cells (F3) and the rows of decisions.csv
    "err.not one of the choices": {"en": "not one of the choices",
                                   "zh-CN": "“{value}”不是可选值"},
    "xlsx.list_separator": {"en": " / ", "zh-CN": "、"},  # the choices of a dropdown, listed
    "hint.choose from the list: {english} ({chinese})": {
        "en": "choose from the list: {english} ({chinese})",
        "zh-CN": "请从下拉列表中选择：{chinese}"},
    "hint.type a date cell or YYYY-MM-DD text": {
        "en": "type a date cell or YYYY-MM-DD text",
        "zh-CN": "请输入日期单元格，或 YYYY-MM-DD 格式的文本"},
    "err.more than the protocol's cap of {weeks} weeks": {
        "en": "more than the protocol's cap of {weeks} weeks",
        "zh-CN": "持续周数 {value} 超过方案规定的最长 {weeks} 周"},
    "hint.a regimen runs at most to the cap; leave weeks empty to run to it": {
        "en": "a regimen runs at most to the cap; leave weeks empty to run to it",
        "zh-CN": "给药方案最长持续至治疗上限；留空持续周数即持续至上限"},
    "err.a {action} decision takes no {column}": {
        "en": "a {action} decision takes no {column}", "zh-CN": "{action}决策不填写{column}"},
    "list.separator": {"en": ", ", "zh-CN": "、"},  # names listed in a message: 001、002
    # words inside an error's text, said as the workbook says them
    "err.stop": {"en": "stop", "zh-CN": "停止治疗"},
    "err.hold": {"en": "hold", "zh-CN": "暂停给药"},
    "err.regimen": {"en": "regimen", "zh-CN": "给药方案"},
    "err.weeks": {"en": "weeks", "zh-CN": "持续周数"},
    "err.until": {"en": "until", "zh-CN": "截止日期"},
    "hint.leave it empty": {"en": "leave it empty", "zh-CN": "请留空"},
    "err.unknown action": {"en": "unknown action", "zh-CN": "未知的决策类型"},
    "hint.use one of continue, stop, hold, resume": {
        "en": "use one of continue, stop, hold, resume",
        "zh-CN": "请使用 continue、stop、hold 或 resume（继续治疗、停止治疗、暂停给药、恢复给药）"},
    "hint.use done or missed": {"en": "use done or missed",
                                "zh-CN": "请使用 done（已完成）或 missed（漏访）"},
    "err.unknown regimen": {"en": "unknown regimen", "zh-CN": "未知的给药方案"},
    "err.not a regimen of the protocol": {"en": "not a regimen of the protocol",
                                          "zh-CN": "不是方案中的给药方案"},
    "hint.use one of {codes}": {"en": "use one of {codes}", "zh-CN": "请使用 {codes} 之一"},
    "err.not in the current plan of subject {subject}": {
        "en": "not in the current plan of subject {subject}",
        "zh-CN": "不在受试者 {subject} 当前的访视计划中"},
    "hint.record only visits of the plan ('cc312-schedule plan STUDY' lists them); a dose beyond it "
    "needs the investigator's decision first (decide, or a Decisions row)": {
        "en": "record only visits of the plan ('cc312-schedule plan STUDY' lists them); a dose "
              "beyond it needs the investigator's decision first (decide, or a Decisions row)",
        "zh-CN": "只能记录访视计划中的访视（'cc312-schedule plan STUDY' 可列出）；计划之外的给药须"
                 "先有研究者决策（decide 命令，或工作簿的研究者决策表）"},
    "err.{visit} is recorded as {old} ({where}); the entry says {new}: not applied ({why})": {
        "en": "{visit} is recorded as {old} ({where}); the entry says {new}: not applied ({why})",
        "zh-CN": "{visit} 已记录为 {old}（{where}），本次录入为 {new}：未写入（{why}）"},
    "err.subject {subject}: {text}": {"en": "subject {subject}: {text}",
                                      "zh-CN": "受试者 {subject}：{text}"},
    "err.correct the entry, or amend with a reason: --amend REASON": {
        "en": "correct the entry, or amend with a reason: --amend REASON",
        "zh-CN": "请更正录入内容，或注明原因后更正：--amend REASON"},
    "err.done {day}": {"en": "done {day}", "zh-CN": "已完成 {day}"},
    "err.done": {"en": "done", "zh-CN": "已完成"},
    "err.missed": {"en": "missed", "zh-CN": "漏访"},
    "hint.use a subject id of subjects.csv ({ids})": {
        "en": "use a subject id of subjects.csv ({ids})",
        "zh-CN": "请使用 subjects.csv 中的受试者编号（{ids}）"},
    "hint.add the subject to subjects.csv or fix the id": {
        "en": "add the subject to subjects.csv or fix the id",
        "zh-CN": "请将该受试者加入 subjects.csv，或更正编号"},
    "err.no such visit: its week is more than {n} weeks after the cap (week {cap})": {
        "en": "no such visit: its week is more than {n} weeks after the cap (week {cap})",
        "zh-CN": "访视不存在：其所在周晚于治疗上限（第{cap}周）超过 {n} 周"},
    "hint.check the week number": {"en": "check the week number", "zh-CN": "请检查周数"},
    "err.the subject ids lost their leading zeros (a spreadsheet program saved the file and read "
    "{id} as the number {number})": {
        "en": "the subject ids lost their leading zeros (a spreadsheet program saved the file "
              "and read {id} as the number {number})",
        "zh-CN": "受试者编号丢失了开头的 0（表格软件保存文件时把 {id} 读成了数字 {number}）"},
    "hint.write the ids as the other files do (e.g. {id}); in Excel or WPS, format the column as "
    "Text before typing, or edit the file in a text editor": {
        "en": "write the ids as the other files do (e.g. {id}); in Excel or WPS, format the "
              "column as Text before typing, or edit the file in a text editor",
        "zh-CN": "请按其他文件的写法填写编号（如 {id}）；在 Excel 或 WPS 中先将该列设为“文本”格式"
                 "再输入，或用文本编辑器修改该文件"},
    # the files of a study folder
    "err.{n} fields but the header has {columns}": {
        "en": "{n} fields but the header has {columns}",
        "zh-CN": "该行有 {n} 个字段，但表头只有 {columns} 个"},
    "hint.quote values that contain commas": {"en": "quote values that contain commas",
                                              "zh-CN": "含逗号的取值请加英文双引号"},
    "err.a quote (\") opens here and is never closed: every line after it would be read as one value": {
        "en": "a quote (\") opens here and is never closed: every line after it would be read "
              "as one value",
        "zh-CN": "此处的双引号（\"）没有闭合：其后所有行都会被读成一个取值"},
    "hint.close the quote, or delete the stray \" character": {
        "en": "close the quote, or delete the stray \" character",
        "zh-CN": "请补上闭合的双引号，或删除多余的 \" 字符"},
    "err.not valid TOML: {detail}": {"en": "not valid TOML: {detail}",
                                     "zh-CN": "TOML 格式错误"},
    "hint.fix the TOML syntax": {"en": "fix the TOML syntax",
                                 "zh-CN": "请修正该行的写法（键 = 值，文本加英文双引号）"},
    "err.unknown key": {"en": "unknown key", "zh-CN": "未知的设置项"},
    "hint.known keys: {keys}": {"en": "known keys: {keys}", "zh-CN": "可用的设置项：{keys}"},
    "hint.remove it or fix its spelling (see templates/cc312.toml)": {
        "en": "remove it or fix its spelling (see templates/cc312.toml)",
        "zh-CN": "请删除或更正拼写（参见 templates/cc312.toml）"},
    "err.missing required table": {"en": "missing required table", "zh-CN": "缺少必需的设置表"},
    "hint.add a [{table}] table": {"en": "add a [{table}] table", "zh-CN": "请添加 [{table}] 表"},
    "err.not an IANA time zone name": {"en": "not an IANA time zone name",
                                       "zh-CN": "不是 IANA 时区名"},
    "hint.e.g. \"Asia/Shanghai\" or \"Europe/Berlin\"": {
        "en": "e.g. \"Asia/Shanghai\" or \"Europe/Berlin\"", "zh-CN": "例如 \"Asia/Shanghai\""},
    "err.cannot read the protocol file: {why}": {"en": "cannot read the protocol file: {why}",
                                                 "zh-CN": "无法读取方案文件：{why}"},
    "hint.check the path in study.toml 'protocol'": {
        "en": "check the path in study.toml 'protocol'",
        "zh-CN": "请检查 study.toml 中 'protocol' 一项的路径"},
    "err.No such file or directory": {"en": "No such file or directory", "zh-CN": "文件不存在"},
    "err.Permission denied": {"en": "Permission denied", "zh-CN": "没有权限"},
    "err.Is a directory": {"en": "Is a directory", "zh-CN": "这是一个文件夹"},
    "err.corrupt {what} file ({detail})": {"en": "corrupt {what} file ({detail})",
                                           "zh-CN": "{what}文件已损坏"},
    "err.calendar state": {"en": "calendar state", "zh-CN": "日历状态"},
    "err.publish state": {"en": "publish state", "zh-CN": "发布状态"},
    "err.feed tokens": {"en": "feed tokens", "zh-CN": "订阅日历密钥"},
    "hint.restore it from a backup; deleting it restarts every SEQUENCE at 0, and calendars that "
    "already hold a higher SEQUENCE may then ignore updates": {
        "en": "restore it from a backup; deleting it restarts every SEQUENCE at 0, and calendars "
              "that already hold a higher SEQUENCE may then ignore updates",
        "zh-CN": "请从备份恢复；若删除，所有 SEQUENCE 将从 0 重新计数，已有更高 SEQUENCE 的日历"
                 "可能不再接收更新"},
    "hint.restore it from a backup, or delete it: the next publish then rewrites every event": {
        "en": "restore it from a backup, or delete it: the next publish then rewrites every event",
        "zh-CN": "请从备份恢复，或删除该文件：下次发布时将重写所有事件"},
    "hint.restore it from a backup; deleting it gives every calendar a new address, and subscribers "
    "must then be sent the new ones": {
        "en": "restore it from a backup; deleting it gives every calendar a new address, and "
              "subscribers must then be sent the new ones",
        "zh-CN": "请从备份恢复；若删除，每个日历都会换新地址，须把新地址重新发给订阅者"},
    "err.the study is being written by {holder}": {
        "en": "the study is being written by {holder}", "zh-CN": "另一个进程正在写入该研究（{holder}）"},
    "hint.waited {seconds} s; wait for the other import/record/decide to finish, then run the "
    "command again": {
        "en": "waited {seconds} s; wait for the other import/record/decide to finish, then run "
              "the command again",
        "zh-CN": "已等待 {seconds} 秒；请等另一个 import/record/decide 完成后再运行本命令"},
    "err.pid {pid} since {since}": {"en": "pid {pid} since {since}",
                                    "zh-CN": "进程号 {pid}，开始于 {since}"},
    # the workbook file
    "err.cannot read the workbook: {why}": {"en": "cannot read the workbook: {why}",
                                            "zh-CN": "无法读取工作簿：文件不存在或不是有效的 .xlsx 文件"},
    "hint.give an .xlsx file saved by Excel, WPS or LibreOffice; a damaged one: open it and save it again": {
        "en": "give an .xlsx file saved by Excel, WPS or LibreOffice; a damaged one: open it and "
              "save it again",
        "zh-CN": "请提供由 Excel、WPS 或 LibreOffice 保存的 .xlsx 文件；文件损坏时请打开后重新保存"},
    # the commands' own arguments
    "err.unknown cohort": {"en": "unknown cohort", "zh-CN": "未知队列"},
    "hint.known cohorts: {cohorts}; for the first subject of a new cohort add --new-cohort": {
        "en": "known cohorts: {cohorts}; for the first subject of a new cohort add --new-cohort",
        "zh-CN": "已有队列：{cohorts}；新队列的第一例受试者请加 --new-cohort"},
    "hint.known: {ids}": {"en": "known: {ids}", "zh-CN": "已有：{ids}"},
    "err.the workbook must be written to a .xlsx file": {
        "en": "the workbook must be written to a .xlsx file", "zh-CN": "工作簿须写入 .xlsx 文件"},
    "hint.name it e.g. plan.xlsx; for a CSV use 'plan --format csv -o FILE'": {
        "en": "name it e.g. plan.xlsx; for a CSV use 'plan --format csv -o FILE'",
        "zh-CN": "例如 plan.xlsx；要导出 CSV 请用 'plan --format csv -o FILE'"},
    "err.the output must end in .pdf or .html": {"en": "the output must end in .pdf or .html",
                                                 "zh-CN": "输出文件名须以 .pdf 或 .html 结尾"},
    "hint.e.g. -o schedule-003.pdf": {"en": "e.g. -o schedule-003.pdf",
                                      "zh-CN": "例如 -o schedule-003.pdf"},
    "err.cannot write: the folder does not exist": {
        "en": "cannot write: the folder does not exist", "zh-CN": "无法写入：文件夹不存在"},
    "hint.create the folder first": {"en": "create the folder first", "zh-CN": "请先创建该文件夹"},
    "err.give either --on or --from/--to": {"en": "give either --on or --from/--to",
                                            "zh-CN": "--on 与 --from/--to 只能二选一"},
    "hint.one day: --on DATE; a range: --from DATE --to DATE": {
        "en": "one day: --on DATE; a range: --from DATE --to DATE",
        "zh-CN": "单日：--on DATE；日期范围：--from DATE --to DATE"},
    "err.a range needs both --from and --to": {"en": "a range needs both --from and --to",
                                               "zh-CN": "日期范围须同时给出 --from 和 --to"},
    "hint.e.g. --from {start} --to {end}": {"en": "e.g. --from {start} --to {end}",
                                            "zh-CN": "例如 --from {start} --to {end}"},
    "err.the range from {start} is over a year": {"en": "the range from {start} is over a year",
                                                  "zh-CN": "自 {start} 起的日期范围超过一年"},
    "hint.list at most a year at a time: --to {end} at the latest": {
        "en": "list at most a year at a time: --to {end} at the latest",
        "zh-CN": "每次最多列出一年：--to 最晚为 {end}"},
    "err.not a port number": {"en": "not a port number", "zh-CN": "不是有效的端口号"},
    "hint.e.g. --port 8312": {"en": "e.g. --port 8312", "zh-CN": "例如 --port 8312"},
    "err.out of range": {"en": "out of range", "zh-CN": "超出范围"},
    "hint.between {low} and {high}": {"en": "between {low} and {high}",
                                      "zh-CN": "应在 {low} 至 {high} 之间"},
    # passwords, users, the audit trail
    "err.cannot read the password file: {why}": {"en": "cannot read the password file: {why}",
                                                 "zh-CN": "无法读取密码文件：{why}"},
    "hint.a file holding the password on its first line": {
        "en": "a file holding the password on its first line",
        "zh-CN": "请提供第一行为密码的文件"},
    "err.no password given": {"en": "no password given", "zh-CN": "未提供密码"},
    "hint.pass --password-file FILE or set CC312_CALDAV_PASSWORD": {
        "en": "pass --password-file FILE or set CC312_CALDAV_PASSWORD",
        "zh-CN": "请使用 --password-file FILE，或设置环境变量 CC312_CALDAV_PASSWORD"},
    "err.the password is too short: at least {n} characters": {
        "en": "the password is too short: at least {n} characters",
        "zh-CN": "密码太短：至少 {n} 个字符"},
    "hint.choose a longer one (a few words work well)": {
        "en": "choose a longer one (a few words work well)",
        "zh-CN": "请设置更长的密码，几个词连在一起即可"},
    "err.no such user": {"en": "no such user", "zh-CN": "用户不存在"},
    "hint.'cc312-schedule users list STUDY' lists them": {
        "en": "'cc312-schedule users list STUDY' lists them",
        "zh-CN": "'cc312-schedule users list STUDY' 可列出全部用户"},
    "err.a user of that name exists": {"en": "a user of that name exists",
                                       "zh-CN": "该用户名已存在"},
    "hint.choose another name; 'users list STUDY' lists them": {
        "en": "choose another name; 'users list STUDY' lists them",
        "zh-CN": "请换一个用户名；'users list STUDY' 可列出全部用户"},
    # publish (calendars/publish.py, publish_checks.py)
    "err.not a valid address ({why})": {"en": "not a valid address ({why})",
                                        "zh-CN": "地址无效（{why}）"},
    "err.it must start with https:// or http://": {
        "en": "it must start with https:// or http://", "zh-CN": "须以 https:// 或 http:// 开头"},
    "err.no server name": {"en": "no server name", "zh-CN": "缺少服务器名"},
    "err.the port must be 1-65535": {"en": "the port must be 1-65535",
                                     "zh-CN": "端口号须在 1 至 65535 之间"},
    "err.it holds a space or a control character": {
        "en": "it holds a space or a control character", "zh-CN": "地址中含有空格或控制字符"},
    "hint.e.g. {url}": {"en": "e.g. {url}", "zh-CN": "例如 {url}"},
    "err.cannot reach the server": {"en": "cannot reach the server", "zh-CN": "无法连接服务器"},
    "hint.check the address and the network; the next publish completes what this one did not": {
        "en": "check the address and the network; the next publish completes what this one "
              "did not",
        "zh-CN": "请检查地址和网络；下次发布时会补完本次未完成的部分"},
    "err.the server's answer is not a CalDAV reply ({detail}): a captive portal, a proxy or a web "
    "page may have answered instead": {
        "en": "the server's answer is not a CalDAV reply ({detail}): a captive portal, a proxy "
              "or a web page may have answered instead",
        "zh-CN": "服务器的应答不是 CalDAV 应答：可能是网络认证页面、代理或普通网页代为应答"},
    "err.the server's answer is not a CalDAV reply: a captive portal, a proxy or a web page may "
    "have answered instead": {
        "en": "the server's answer is not a CalDAV reply: a captive portal, a proxy or a web "
              "page may have answered instead",
        "zh-CN": "服务器的应答不是 CalDAV 应答：可能是网络认证页面、代理或普通网页代为应答"},
    "hint.check that --url is the CalDAV server's address (open it in a browser); the next publish "
    "retries what was not confirmed": {
        "en": "check that --url is the CalDAV server's address (open it in a browser); the next "
              "publish retries what was not confirmed",
        "zh-CN": "请确认 --url 是 CalDAV 服务器的地址（可在浏览器中打开查看）；下次发布时会重试未确认的部分"},
    "err.the server forbids this request (HTTP 403)": {
        "en": "the server forbids this request (HTTP 403)", "zh-CN": "服务器拒绝了该请求（HTTP 403）"},
    "err.the server refused the user name or password (HTTP 401/403)": {
        "en": "the server refused the user name or password (HTTP 401/403)",
        "zh-CN": "服务器拒绝了用户名或密码（HTTP 401/403）"},
    "err.the server failed (HTTP {status})": {"en": "the server failed (HTTP {status})",
                                              "zh-CN": "服务器出错（HTTP {status}）"},
    # SDTM XPT (review F7)
    "err.not ASCII, which a SAS transport v5 file cannot carry": {
        "en": "not ASCII, which a SAS transport v5 file cannot carry",
        "zh-CN": "SDTM XPT 仅支持 ASCII：“{value}”含非 ASCII 字符"},
    "hint.write it in English (ASCII), or export with --format both (the default: the .xpt then "
    "holds a placeholder for a free text, the .json the text) or --format json": {
        "en": "write it in English (ASCII), or export with --format both (the default: the .xpt "
              "then holds a placeholder for a free text, the .json the text) or --format json",
        "zh-CN": "请将该备注改用英文，或使用 --format json 导出；默认的 --format both 会在 .xpt "
                 "中写入占位文本，原文保存在 .json 中"},
    # ---- end of the issue-22 CLI errors block --------------------------------------------
    # ---- issue 22: the CLI's report lines in the run's language (cli-wave) ----------------
    "cli.cannot_write": {"en": "{where}cannot write: {why}; nothing was changed (check the output "
                               "folder)",
                         "zh-CN": "{where}无法写入：{why}；未做任何更改（请检查输出文件夹）"},
    "cli.cannot_write_full": {
        "en": "{where}cannot write: {why}; nothing was changed (free some space, then run the "
              "command again)",
        "zh-CN": "{where}无法写入：{why}；未做任何更改（请清理磁盘空间后再运行本命令）"},
    "err.No space left on device": {"en": "No space left on device", "zh-CN": "磁盘空间不足"},
    "err.Disk quota exceeded": {"en": "Disk quota exceeded", "zh-CN": "超出磁盘配额"},
    "err.Read-only file system": {"en": "Read-only file system", "zh-CN": "文件系统为只读"},
    "cli.user_line": {"en": "{name}\t{role}\t{state}\t{display}\tcreated {created}\t{tokens} "
                            "token(s)",
                      "zh-CN": "{name}\t{role}\t{state}\t{display}\t创建于 {created}\tAPI 令牌 "
                               "{tokens} 个"},
    "cli.audit_problem": {"en": "{path}: {problem}", "zh-CN": "{path}：{problem}"},
    "cli.audit_line": {"en": "{seq} {time} {user} [{role}, {via}] {file} {where} {field}: {old} "
                             "-> {new}{why}",
                       "zh-CN": "{seq} {time} {user}【{role}，{via}】{file} {where} {field}：{old}"
                                " → {new}{why}"},
    "cli.audit_reason": {"en": "  ({reason})", "zh-CN": "（{reason}）"},
    "desk.role.cli": {"en": "cli", "zh-CN": "命令行用户"},  # the role of a change made by a command
    "audit.via.cli": {"en": "cli", "zh-CN": "命令行"},
    "audit.via.import": {"en": "import", "zh-CN": "工作簿导入"},
    "audit.via.desk": {"en": "desk", "zh-CN": "研究中心工作台"},
    "audit.via.api": {"en": "api", "zh-CN": "API"},
    "entries.decision_text": {"en": "{action}{details} on {on}", "zh-CN": "{on} {action}{details}"},
    # reading a study's files (store/csvfile.py, store/study.py, core/fileio.py)
    "err.missing column": {"en": "missing column", "zh-CN": "缺少列"},
    "hint.the header must include: {columns}": {"en": "the header must include: {columns}",
                                                "zh-CN": "表头须包含：{columns}"},
    "err.missing study.toml": {"en": "missing study.toml", "zh-CN": "缺少 study.toml"},
    "hint.create it with at least: name = \"...\"": {
        "en": "create it with at least: name = \"...\"",
        "zh-CN": "请创建该文件，至少写入一行：name = \"...\""},
    "err.missing subjects.csv": {"en": "missing subjects.csv", "zh-CN": "缺少 subjects.csv"},
    "hint.create it with the header {columns}": {"en": "create it with the header {columns}",
                                                 "zh-CN": "请创建该文件，表头为 {columns}"},
    "err.not UTF-8 text: byte {byte} is not valid here": {
        "en": "not UTF-8 text: byte {byte} is not valid here",
        "zh-CN": "不是 UTF-8 文本：此处的字节 {byte} 无效"},
    "err.not UTF-8 text: it looks like UTF-16": {"en": "not UTF-8 text: it looks like UTF-16",
                                                 "zh-CN": "不是 UTF-8 文本：看起来是 UTF-16 编码"},
    "hint.save the file as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')": {
        "en": "save the file as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')",
        "zh-CN": "请将文件另存为 UTF-8 编码的 CSV（Excel 中选择“CSV UTF-8（逗号分隔）”）"},
    "err.cannot read: not a regular file but {kind}": {
        "en": "cannot read: not a regular file but {kind}",
        "zh-CN": "无法读取：这不是普通文件，而是{kind}"},
    "err.a folder": {"en": "a folder", "zh-CN": "文件夹"},
    "err.a FIFO (named pipe)": {"en": "a FIFO (named pipe)", "zh-CN": "命名管道"},
    "err.a character device": {"en": "a character device", "zh-CN": "字符设备"},
    "err.a block device": {"en": "a block device", "zh-CN": "块设备"},
    "err.a socket": {"en": "a socket", "zh-CN": "套接字"},
    "hint.give an ordinary file; copy the data into one": {
        "en": "give an ordinary file; copy the data into one",
        "zh-CN": "请提供普通文件；可将数据复制到一个普通文件中"},
    "err.cannot read: {why}": {"en": "cannot read: {why}", "zh-CN": "无法读取：{why}"},
    "hint.check the file's permissions": {"en": "check the file's permissions",
                                          "zh-CN": "请检查文件权限"},
    "err.resume without a hold before it": {"en": "resume without a hold before it",
                                            "zh-CN": "恢复给药之前没有暂停给药决策"},
    "hint.record the hold first, or use continue": {
        "en": "record the hold first, or use continue",
        "zh-CN": "请先记录暂停给药，或改用继续治疗（continue）"},
    # writing an output folder (calendars/ics.py, cdisc/sdtm.py)
    "err.cannot create the output folder: {why}": {
        "en": "cannot create the output folder: {why}", "zh-CN": "无法创建输出文件夹：{why}"},
    "err.cannot create the folder: {why}": {"en": "cannot create the folder: {why}",
                                            "zh-CN": "无法创建文件夹：{why}"},
    "err.File exists": {"en": "File exists", "zh-CN": "同名文件已存在"},
    # a write that failed (core/fileio.py cannot_write, store/csvedit.py, store/audit.py)
    "err.cannot write: {why}; nothing was changed": {
        "en": "cannot write: {why}; nothing was changed", "zh-CN": "无法写入：{why}；未做任何更改"},
    "err.cannot write the audit trail: {why}; nothing was changed": {
        "en": "cannot write the audit trail: {why}; nothing was changed",
        "zh-CN": "无法写入稽查轨迹：{why}；未做任何更改"},
    "err.cannot save the calendar state: {why}; nothing was published": {
        "en": "cannot save the calendar state: {why}; nothing was published",
        "zh-CN": "无法保存日历状态：{why}；未输出任何日历"},
    "err.cannot write, and cannot put the file back: {why}": {
        "en": "cannot write, and cannot put the file back: {why}",
        "zh-CN": "无法写入，也无法恢复原文件：{why}"},
    "hint.it holds the new rows: check it, free some space and run 'cc312-schedule check'": {
        "en": "it holds the new rows: check it, free some space and run 'cc312-schedule check'",
        "zh-CN": "该文件中已有新写入的行：请检查该文件，清理磁盘空间后运行 'cc312-schedule check'"},
    "hint.free some space, then run the command again": {
        "en": "free some space, then run the command again",
        "zh-CN": "请清理磁盘空间后再运行本命令"},
    "hint.free some space on that disk, then run the command again": {
        "en": "free some space on that disk, then run the command again",
        "zh-CN": "请清理该磁盘的空间后再运行本命令"},
    "hint.check that the study folder and its files are writable": {
        "en": "check that the study folder and its files are writable",
        "zh-CN": "请检查研究文件夹及其中的文件是否可写入"},
    "hint.free some space; the study folder must be writable": {
        "en": "free some space; the study folder must be writable",
        "zh-CN": "请清理磁盘空间；研究文件夹须可写入"},
    "hint.the study folder must be writable": {"en": "the study folder must be writable",
                                               "zh-CN": "研究文件夹须可写入"},
    "err.Not a directory": {"en": "Not a directory", "zh-CN": "路径中有一项不是文件夹"},
    "hint.choose a writable folder": {"en": "choose a writable folder",
                                      "zh-CN": "请选择可写入的文件夹"},
    "err.the output is not a folder": {"en": "the output is not a folder",
                                       "zh-CN": "输出位置不是文件夹"},
    "hint.give a folder (it is created if missing)": {
        "en": "give a folder (it is created if missing)", "zh-CN": "请给出文件夹（不存在时自动创建）"},
    "cli.user_active_state": {"en": "active", "zh-CN": "已启用"},
    "key.password": {"en": "password", "zh-CN": "密码"},  # an error's key that is a word
    "cli.password_prompt": {"en": "new password for {name} (at least 10 characters): ",
                            "zh-CN": "请输入 {name} 的新密码（至少 10 个字符）："},
    "cli.password_again": {"en": "the same again: ", "zh-CN": "请再输入一次："},
    "err.the two passwords differ": {"en": "the two passwords differ",
                                     "zh-CN": "两次输入的密码不一致"},
    "hint.run the command again": {"en": "run the command again", "zh-CN": "请重新运行本命令"},
    "err.the password file is not UTF-8 text": {"en": "the password file is not UTF-8 text",
                                                "zh-CN": "密码文件不是 UTF-8 文本"},
    "err.the password file is empty": {"en": "the password file is empty",
                                       "zh-CN": "密码文件为空"},
    "cli.user_disabled_state": {"en": "disabled", "zh-CN": "已停用"},
    # the audit trail's problems (store/audit.py verify_audit), keyed by their English
    "err.line {n}: {problem}": {"en": "line {n}: {problem}", "zh-CN": "第 {n} 行：{problem}"},
    "err.sha256 does not match the line (the line was edited)": {
        "en": "sha256 does not match the line (the line was edited)",
        "zh-CN": "sha256 与该行内容不符（该行被修改过）"},
    "err.seq {got} follows seq {before} (a line deleted, inserted or moved)": {
        "en": "seq {got} follows seq {before} (a line deleted, inserted or moved)",
        "zh-CN": "序号 {got} 排在序号 {before} 之后（有行被删除、插入或移动）"},
    "err.prev_sha256 is not the sha256 of the entry before it (a line deleted, inserted or moved, "
    "or the one before edited)": {
        "en": "prev_sha256 is not the sha256 of the entry before it (a line deleted, inserted or "
              "moved, or the one before edited)",
        "zh-CN": "prev_sha256 与上一条记录的 sha256 不符（有行被删除、插入、移动，或上一行被修改）"},
    "err.incomplete (no line end): the file was cut short": {
        "en": "incomplete (no line end): the file was cut short",
        "zh-CN": "不完整（没有行尾）：文件被截断"},
    "err.not UTF-8 text (edited with another encoding?)": {
        "en": "not UTF-8 text (edited with another encoding?)",
        "zh-CN": "不是 UTF-8 文本（是否用其他编码编辑过？）"},
    "err.not an audit entry ({why})": {"en": "not an audit entry ({why})",
                                       "zh-CN": "不是稽查记录"},
    "err.not the last entry {head} records (the last line was replaced)": {
        "en": "not the last entry {head} records (the last line was replaced)",
        "zh-CN": "不是 {head} 记录的最后一条（最后一行被替换）"},
    # publish (calendars/publish.py PublishResult.describe, .report)
    "publish.done": {
        "en": "{url}: {collections} calendar(s){created}; wrote {written} event(s), deleted "
              "{deleted}, {unchanged} unchanged{changed}",
        "zh-CN": "{url}：日历 {collections} 个{created}；写入事件 {written} 个，删除 {deleted} 个，"
                 "未变 {unchanged} 个{changed}"},
    "publish.dry_run": {
        "en": "dry run: {url}: {collections} calendar(s){created}; would write {written} "
              "event(s), would delete {deleted}, {unchanged} unchanged{changed}",
        "zh-CN": "预览：{url}：日历 {collections} 个{created}；将写入事件 {written} 个，将删除 "
                 "{deleted} 个，未变 {unchanged} 个{changed}"},
    "publish.created": {"en": ", {n} created", "zh-CN": "（新建 {n} 个）"},
    "publish.changes": {"en": ", {n} changed on the server", "zh-CN": "，服务器上被改动 {n} 个"},
    "publish.changed": {
        "en": "changed on the server: {subject} {visit} in {collection} ({resource}): {change}; "
              "{action}",
        "zh-CN": "服务器上被改动：{subject} {visit}（日历 {collection}，{resource}）：{change}；"
                 "{action}"},
    "publish.not_published": {
        "en": "not published: {subject} {visit} in {collection} ({resource}): {reason}",
        "zh-CN": "未发布：{subject} {visit}（日历 {collection}，{resource}）：{reason}"},
    "publish.problems": {
        "en": "{n} event(s) not published; every other one was (fix or remove the objects "
              "named, then publish again)",
        "zh-CN": "{n} 个事件未发布，其余均已发布（请修正或删除上述对象后重新发布）"},
    # what publish says of a change or a note, keyed by its English (say_error, prefix publish)
    "publish.deleted on the server": {"en": "deleted on the server", "zh-CN": "已在服务器上被删除"},
    "publish.left deleted": {"en": "left deleted", "zh-CN": "保持删除"},
    "publish.re-created": {"en": "re-created", "zh-CN": "已重新创建"},
    "publish.kept (--on-server-edit server)": {"en": "kept (--on-server-edit server)",
                                               "zh-CN": "保留服务器上的版本（--on-server-edit server）"},
    "publish.overwritten with the plan's version (SEQUENCE {n})": {
        "en": "overwritten with the plan's version (SEQUENCE {n})",
        "zh-CN": "已用计划中的版本覆盖（SEQUENCE {n}）"},
    "publish.stored by a client as {name}; {what}": {
        "en": "stored by a client as {name}; {what}",
        "zh-CN": "日历客户端以 {name} 保存；{what}"},
    "publish.first publish to {server} (earlier publishes went to {servers}): its calendars are "
    "read before writing, so what it already holds is not written again": {
        "en": "first publish to {server} (earlier publishes went to {servers}): its calendars "
              "are read before writing, so what it already holds is not written again",
        "zh-CN": "首次发布到 {server}（此前发布到 {servers}）：写入前先读取其日历，已有的内容不会重复写入"},
    "publish.the calendar home of {user} moved from {known} to {home}": {
        "en": "the calendar home of {user} moved from {known} to {home}",
        "zh-CN": "{user} 的日历主目录已从 {known} 移至 {home}"},
    "publish.{name}: no record of what was published there; read its {n} event(s) before writing": {
        "en": "{name}: no record of what was published there; read its {n} event(s) before "
              "writing",
        "zh-CN": "{name}：没有该日历的发布记录；写入前已读取其中 {n} 个事件"},
    # a dry run's lines (publish(log=..., lang=...))
    "publish.log_create": {"en": "create calendar {url} ({name})",
                           "zh-CN": "新建日历 {url}（{name}）"},
    "publish.log_write": {"en": "would write {visit} ({why}) to {url}",
                          "zh-CN": "将写入 {visit}（{why}）至 {url}"},
    "publish.log_delete": {"en": "would delete {why} {visit} from {url}",
                           "zh-CN": "将从 {url} 删除 {visit}（{why}）"},
    "publish.new": {"en": "new", "zh-CN": "新增"},
    "publish.updated": {"en": "updated", "zh-CN": "已更新"},
    "publish.cancelled": {"en": "cancelled", "zh-CN": "已取消"},
    "publish.unchanged": {"en": "unchanged", "zh-CN": "未变"},
    "publish.moved": {"en": "moved", "zh-CN": "已移至其他日历"},
    "publish.changed on the server": {"en": "changed on the server", "zh-CN": "服务器上被改动"},
    # feed (calendars/feed.py FeedResult.describe)
    "feed.summary": {
        "en": "# {n} calendar(s): {new} new, {updated} updated, {cancelled} newly cancelled, "
              "{unchanged} unchanged event(s){retired}",
        "zh-CN": "# 日历 {n} 个：新增事件 {new} 个、更新 {updated} 个、新取消 {cancelled} 个、"
                 "未变 {unchanged} 个{retired}"},
    "feed.retired": {"en": "; retired {n} old name(s)", "zh-CN": "；已停用旧地址 {n} 个"},
    # next-slot (planning/slots.py Slot.texts): the English as the command always said it
    "slot.stagger": {
        "en": "stagger: {subject} was first dosed on {day}; cohort {cohort} needs {n} days "
              "between first doses, so not before {start}",
        "zh-CN": "首次给药间隔：{subject} 于 {day} 首次给药；队列 {cohort} 的首次给药须间隔 {n} 天，"
                 "故不早于 {start}"},
    "slot.skipped": {"en": "{day} ({abbr}): {why}", "zh-CN": "{day}：{why}"},
    "slot.closed": {"en": "closed ({why})", "zh-CN": "停诊（{why}）"},
    "slot.stagger_conflict": {"en": "within {n} days of another cohort {cohort} first dose",
                              "zh-CN": "与队列 {cohort} 另一例受试者的首次给药相隔不足 {n} 天"},
    "slot.no_open_day": {"en": "induction visit {visit} has no open day in its window",
                         "zh-CN": "诱导期访视 {visit} 的窗口期内无开诊日"},
    "slot.full": {"en": "induction dose on {day} would exceed {cap} chairs",
                  "zh-CN": "{day} 的诱导期给药将超过 {cap} 个输液位"},
    "slot.more": {"en": "… and {n} more day(s) skipped", "zh-CN": "……另有 {n} 天被跳过"},
    "slot.chosen": {"en": "chosen {day} ({abbr}): the site is open{fit}",
                    "zh-CN": "选定 {day}：研究中心开诊{fit}"},
    "slot.fit": {"en": " and all {n} induction doses ({first} … {last}) fit {cap} chairs a day",
                 "zh-CN": "，诱导期全部 {n} 次给药（{first} … {last}）均不超过每日 {cap} 个输液位"},
    # ---- end of the issue-22 CLI report lines block --------------------------------------
    # ---- issue 22: the rest of the errors the code raises (cli-wave; found by
    # tests/test_issue_22_cli_chinese_everywhere.py's sweep of the source) -----------
    "err.generated-at needs a time zone": {
        "en": "generated-at needs a time zone",
        "zh-CN": "--generated-at 须带时区"},
    "err.no subject matches both --subject and --cohort": {
        "en": "no subject matches both --subject and --cohort",
        "zh-CN": "没有受试者同时符合 --subject 和 --cohort"},
    "hint.drop one of the filters": {
        "en": "drop one of the filters",
        "zh-CN": "请去掉其中一个筛选条件"},
    "err.subject {a} has published calendars but is missing from subjects.csv": {
        "en": "subject {a} has published calendars but is missing from subjects.csv",
        "zh-CN": "受试者 {a} 已发布过日历，但不在 subjects.csv 中"},
    "hint.known cohorts: {a}": {
        "en": "known cohorts: {a}",
        "zh-CN": "已有队列：{a}"},
    "err.subject id cannot name a calendar file": {
        "en": "subject id cannot name a calendar file",
        "zh-CN": "该受试者编号不能用作日历文件名"},
    "hint.use letters, digits, '.', '_' or '-'": {
        "en": "use letters, digits, '.', '_' or '-'",
        "zh-CN": "请只用字母、数字及 '.'、'_'、'-'"},
    "err.subject is still in subjects.csv": {
        "en": "subject is still in subjects.csv",
        "zh-CN": "该受试者仍在 subjects.csv 中"},
    "hint.remove its row first, or do not retire it": {
        "en": "remove its row first, or do not retire it",
        "zh-CN": "请先删除其所在行，或不要使用 --retire"},
    "err.no calendar of this subject was ever published": {
        "en": "no calendar of this subject was ever published",
        "zh-CN": "该受试者的日历从未发布过"},
    "hint.check the subject id": {
        "en": "check the subject id",
        "zh-CN": "请检查受试者编号"},
    "hint.pass --password-file FILE or set {a}": {
        "en": "pass --password-file FILE or set {a}",
        "zh-CN": "请使用 --password-file FILE，或设置环境变量 {a}"},
    "err.unknown choice": {
        "en": "unknown choice",
        "zh-CN": "无效的选项值"},
    "hint.one of {a}": {
        "en": "one of {a}",
        "zh-CN": "可选：{a}"},
    "err.the user's calendar home is missing on the server": {
        "en": "the user's calendar home is missing on the server",
        "zh-CN": "服务器上没有该用户的日历主目录"},
    "hint.check the server address and the user name": {
        "en": "check the server address and the user name",
        "zh-CN": "请检查服务器地址和用户名"},
    "hint.the server's own error: look at its log; the next publish completes what this one did not": {
        "en": "the server's own error: look at its log; the next publish completes what this one did not",
        "zh-CN": "服务器自身出错：请查看服务器日志；下次发布时会补完本次未完成的部分"},
    "err.the server answered with a redirect (HTTP {a})": {
        "en": "the server answered with a redirect (HTTP {a})",
        "zh-CN": "服务器返回了重定向（HTTP {a}）"},
    "hint.use the address it redirects to (often https://, or a path ending in /)": {
        "en": "use the address it redirects to (often https://, or a path ending in /)",
        "zh-CN": "请使用重定向后的地址（通常为 https://，或以 / 结尾的路径）"},
    "err.the server redirects in a loop (too many redirects)": {
        "en": "the server redirects in a loop (too many redirects)",
        "zh-CN": "服务器循环重定向（重定向次数过多）"},
    "hint.check the address, and the server's (or its proxy's) redirect rules": {
        "en": "check the address, and the server's (or its proxy's) redirect rules",
        "zh-CN": "请检查地址，以及服务器（或其代理）的重定向规则"},
    "err.the server did not answer within {a} s (timeout)": {
        "en": "the server did not answer within {a} s (timeout)",
        "zh-CN": "服务器在 {a} 秒内无应答（超时）"},
    "hint.check that the server is up and not overloaded; the next publish completes what this one did not": {
        "en": "check that the server is up and not overloaded; the next publish completes what this one "
              "did not",
        "zh-CN": "请确认服务器在运行且未过载；下次发布时会补完本次未完成的部分"},
    "err.the server is busy (HTTP 429/503, retry later)": {
        "en": "the server is busy (HTTP 429/503, retry later)",
        "zh-CN": "服务器繁忙（HTTP 429/503，请稍后重试）"},
    "hint.publish again later; the next publish completes what this one did not": {
        "en": "publish again later; the next publish completes what this one did not",
        "zh-CN": "请稍后再发布；下次发布时会补完本次未完成的部分"},
    "hint.write the password on its first line": {
        "en": "write the password on its first line",
        "zh-CN": "请把密码写在文件第一行"},
    "err.exists on the server but is not a calendar collection": {
        "en": "exists on the server but is not a calendar collection",
        "zh-CN": "服务器上已有同名项，但不是日历"},
    "hint.rename or remove that collection, or publish as another user": {
        "en": "rename or remove that collection, or publish as another user",
        "zh-CN": "请重命名或删除该项，或换一个用户发布"},
    "hint.the user may lack the right (e.g. to create calendars there): check its rights on the server; "
    "some servers also answer 403 to a wrong password": {
        "en": "the user may lack the right (e.g. to create calendars there): check its rights on the "
              "server; some servers also answer 403 to a wrong password",
        "zh-CN": "该用户可能没有相应权限（如在该处新建日历）：请在服务器上检查其权限；有些服务器对错误的密"
                 "码也返回 403"},
    "hint.check --user and the password (--password-file or {a})": {
        "en": "check --user and the password (--password-file or {a})",
        "zh-CN": "请检查 --user 和密码（--password-file 或 {a}）"},
    "err.TLS failure: the server's certificate or TLS setup was refused": {
        "en": "TLS failure: the server's certificate or TLS setup was refused",
        "zh-CN": "TLS 失败：服务器的证书或 TLS 设置被拒绝"},
    "hint.check the https:// address and the server's certificate (a self-signed certificate must be "
    "trusted by this computer)": {
        "en": "check the https:// address and the server's certificate (a self-signed certificate must be "
              "trusted by this computer)",
        "zh-CN": "请检查 https:// 地址和服务器证书（自签名证书须先被本机信任）"},
    "err.the server refused a request: {a}": {
        "en": "the server refused a request: {a}",
        "zh-CN": "服务器拒绝了一个请求：{a}"},
    "hint.the next publish retries what was not confirmed": {
        "en": "the next publish retries what was not confirmed",
        "zh-CN": "下次发布时会重试未确认的部分"},
    "err.cannot create the calendar (HTTP {a})": {
        "en": "cannot create the calendar (HTTP {a})",
        "zh-CN": "无法新建日历（HTTP {a}）"},
    "hint.check that the user may create calendars there": {
        "en": "check that the user may create calendars there",
        "zh-CN": "请确认该用户有权在该处新建日历"},
    "err.the regimen has no CDISC frequency term, needed for SDTM EX.EXDOSFRQ": {
        "en": "the regimen has no CDISC frequency term, needed for SDTM EX.EXDOSFRQ",
        "zh-CN": "该给药方案没有 CDISC 给药频率术语（SDTM EX.EXDOSFRQ 需要）"},
    "hint.add the CDISC Frequency (C71113) submission value, e.g. cdisc_frequency = \"EVERY WEEK\"": {
        "en": "add the CDISC Frequency (C71113) submission value, e.g. cdisc_frequency = \"EVERY WEEK\"",
        "zh-CN": "请添加 CDISC 给药频率（C71113）的提交值，例如 cdisc_frequency = \"EVERY WEEK\""},
    "err.unknown format": {
        "en": "unknown format",
        "zh-CN": "未知格式"},
    "hint.use xpt, json or both": {
        "en": "use xpt, json or both",
        "zh-CN": "请使用 xpt、json 或 both"},
    "err.the study id must not be empty": {
        "en": "the study id must not be empty",
        "zh-CN": "研究编号不能为空"},
    "err.dataset name must be 1-8 letters or digits": {
        "en": "dataset name must be 1-8 letters or digits",
        "zh-CN": "数据集名须为 1 至 8 个字母或数字"},
    "err.dataset label over {a} characters": {
        "en": "dataset label over {a} characters",
        "zh-CN": "数据集标签超过 {a} 个字符"},
    "err.variable name must be 1-8 letters or digits": {
        "en": "variable name must be 1-8 letters or digits",
        "zh-CN": "变量名须为 1 至 8 个字母或数字"},
    "err.variable label must be ASCII, at most {a} characters": {
        "en": "variable label must be ASCII, at most {a} characters",
        "zh-CN": "变量标签须为 ASCII，最多 {a} 个字符"},
    "err.{a} characters, over the {b}-byte limit of a SAS transport v5 character value": {
        "en": "{a} characters, over the {b}-byte limit of a SAS transport v5 character value",
        "zh-CN": "{a} 个字符，超过 SDTM XPT 字符值 {b} 字节的上限"},
    "hint.install {a} (sudo apt install {b}), or write -o FILE.html": {
        "en": "install {a} (sudo apt install {b}), or write -o FILE.html",
        "zh-CN": "请安装 {a}（sudo apt install {b}），或改为 -o FILE.html"},
    "err.will not replace {a}": {
        "en": "will not replace {a}",
        "zh-CN": "不会替换 {a}"},
    "hint.write to an ordinary file, or '-' for standard output": {
        "en": "write to an ordinary file, or '-' for standard output",
        "zh-CN": "请写入普通文件，或用 '-' 输出到屏幕"},
    "hint.remove it, or write to another folder": {
        "en": "remove it, or write to another folder",
        "zh-CN": "请删除它，或写入其他文件夹"},
    "err.cannot read the {a}: {b}": {
        "en": "cannot read the {a}: {b}",
        "zh-CN": "无法读取{a}：{b}"},
    "err.corrupt {a} ({b}: {c})": {
        "en": "corrupt {a} ({b}: {c})",
        "zh-CN": "{a}已损坏"},
    "err.cannot open {a}: {b}": {
        "en": "cannot open {a}: {b}",
        "zh-CN": "无法打开 {a}：{b}"},
    "err.{a} is a symbolic link: refusing to write through it": {
        "en": "{a} is a symbolic link: refusing to write through it",
        "zh-CN": "{a} 是符号链接：拒绝通过它写入"},
    "err.unsupported version (this release reads {a})": {
        "en": "unsupported version (this release reads {a})",
        "zh-CN": "不支持的版本（本版本读取 {a}）"},
    "hint.use a protocol written for this release": {
        "en": "use a protocol written for this release",
        "zh-CN": "请使用为本版本编写的方案文件"},
    "err.must be after trial.start_date": {
        "en": "must be after trial.start_date",
        "zh-CN": "须晚于 trial.start_date"},
    "err.must not be below trial.age_min_years": {
        "en": "must not be below trial.age_min_years",
        "zh-CN": "不能小于 trial.age_min_years"},
    "err.must be a time HH:MM (24 h)": {
        "en": "must be a time HH:MM (24 h)",
        "zh-CN": "须为 HH:MM 格式的时间（24 小时制）"},
    "err.at least one regimen is required": {
        "en": "at least one regimen is required",
        "zh-CN": "至少需要一个给药方案"},
    "err.not a regimen defined under [regimens]": {
        "en": "not a regimen defined under [regimens]",
        "zh-CN": "不是 [regimens] 中定义的给药方案"},
    "err.unknown anchor": {
        "en": "unknown anchor",
        "zh-CN": "未知的计算起点"},
    "err.must be an array of tables ([[follow_up]])": {
        "en": "must be an array of tables ([[follow_up]])",
        "zh-CN": "须为表数组（[[follow_up]]）"},
    "err.visit names must be unique": {
        "en": "visit names must be unique",
        "zh-CN": "访视名称不能重复"},
    "err.cap shorter than the induction ({a} weeks)": {
        "en": "cap shorter than the induction ({a} weeks)",
        "zh-CN": "治疗上限短于诱导期（{a} 周）"},
    "hint.the cap must cover the whole induction": {
        "en": "the cap must cover the whole induction",
        "zh-CN": "治疗上限须覆盖整个诱导期"},
    "err.window ({a}) is as wide as the {b}-day gap to the next {c} dose": {
        "en": "window ({a}) is as wide as the {b}-day gap to the next {c} dose",
        "zh-CN": "窗口期（{a}）与距下一次 {c} 给药的 {b} 天间隔一样宽"},
    "hint.narrow the window so two dose windows never overlap": {
        "en": "narrow the window so two dose windows never overlap",
        "zh-CN": "请缩小窗口期，使两次给药的窗口期不重叠"},
    "err.the first dose defines study day 1: 'before' must be 0": {
        "en": "the first dose defines study day 1: 'before' must be 0",
        "zh-CN": "首次给药即研究第1天：'before' 须为 0"},
    "err.must be {a}": {
        "en": "must be {a}",
        "zh-CN": "取值类型应为 {a}"},
    "err.out of range {a}": {
        "en": "out of range {a}",
        "zh-CN": "超出范围 {a}"},
    "err.must be a table": {
        "en": "must be a table",
        "zh-CN": "须为表（[...]）"},
    "err.visit name {a} collides with the dose (W<w>D<d>) or review (REV-W<w>) naming": {
        "en": "visit name {a} collides with the dose (W<w>D<d>) or review (REV-W<w>) naming",
        "zh-CN": "访视名称 {a} 与给药（W<w>D<d>）或定期评估（REV-W<w>）的命名冲突"},
    "hint.choose another visit name": {
        "en": "choose another visit name",
        "zh-CN": "请换一个访视名称"},
    "err.must come after the last induction dose (day {a})": {
        "en": "must come after the last induction dose (day {a})",
        "zh-CN": "须晚于诱导期最后一次给药（第{a}天）"},
    "err.must not come after the cap (day {a})": {
        "en": "must not come after the cap (day {a})",
        "zh-CN": "不能晚于治疗上限（第{a}天）"},
    "err.no lay wording for this procedure": {
        "en": "no lay wording for this procedure",
        "zh-CN": "该检查项目没有通俗说法"},
    "hint.add \"{a}\" = { en = \"...\", zh-CN = \"...\" }": {
        "en": "add \"{a}\" = { en = \"...\", zh-CN = \"...\" }",
        "zh-CN": "请添加 \"{a}\" = {{ en = \"...\", zh-CN = \"...\" }}"},
    "err.not an item of [procedures]": {
        "en": "not an item of [procedures]",
        "zh-CN": "不是 [procedures] 中的项目"},
    "hint.remove it or fix its spelling: the keys are the [procedures] items": {
        "en": "remove it or fix its spelling: the keys are the [procedures] items",
        "zh-CN": "请删除或更正拼写：键须为 [procedures] 中的项目"},
    "err.amount and unit go together": {
        "en": "amount and unit go together",
        "zh-CN": "剂量与单位须同时给出"},
    "hint.give both (e.g. amount = 1.0, unit = \"mg/kg\") or neither": {
        "en": "give both (e.g. amount = 1.0, unit = \"mg/kg\") or neither",
        "zh-CN": "请两者都给出（如 amount = 1.0，unit = \"mg/kg\"），或都不给"},
    "err.missing required key": {
        "en": "missing required key",
        "zh-CN": "缺少必需的设置项"},
    "err.a regimen needs at least one dosing day": {
        "en": "a regimen needs at least one dosing day",
        "zh-CN": "给药方案至少需要一个给药日"},
    "err.must come after the EOT (eot.days_after_last_dose = {a}): a follow-up visit never falls on or "
    "before the EOT": {
        "en": "must come after the EOT (eot.days_after_last_dose = {a}): a follow-up visit never falls on "
              "or before the EOT",
        "zh-CN": "须晚于治疗结束访视（eot.days_after_last_dose = {a}）：随访不会在治疗结束访视当天或之前"},
    "err.window ({a}) is as wide as the {b}-day gap between two {c} doses": {
        "en": "window ({a}) is as wide as the {b}-day gap between two {c} doses",
        "zh-CN": "窗口期（{a}）与两次 {c} 给药之间 {b} 天的间隔一样宽"},
    "hint.narrow the window or remove the regimen": {
        "en": "narrow the window or remove the regimen",
        "zh-CN": "请缩小窗口期，或删除该给药方案"},
    "err.the protocol file is not UTF-8 text": {
        "en": "the protocol file is not UTF-8 text",
        "zh-CN": "方案文件不是 UTF-8 文本"},
    "hint.save it as UTF-8": {
        "en": "save it as UTF-8",
        "zh-CN": "请另存为 UTF-8 编码"},
    "hint.remove the nested brackets": {
        "en": "remove the nested brackets",
        "zh-CN": "请删除多层嵌套的括号"},
    "err.days must be 1..7, ascending, without repeats": {
        "en": "days must be 1..7, ascending, without repeats",
        "zh-CN": "给药日须为 1 至 7，升序且不重复"},
    "err.follow-up visits must be in ascending order of days (the one before is {a})": {
        "en": "follow-up visits must be in ascending order of days (the one before is {a})",
        "zh-CN": "随访须按天数升序排列（前一次为 {a}）"},
    "err.sheet {a} looks like the Visits sheet but has no {b} column header (row {c})": {
        "en": "sheet {a} looks like the Visits sheet but has no {b} column header (row {c})",
        "zh-CN": "工作表 {a} 像是访视计划表，但第 {c} 行缺少列标题 {b}"},
    "hint.type the header back above its column (Actual date, Status, Note, in the workbook's language), "
    "or delete the sheet if it holds no entries": {
        "en": "type the header back above its column (Actual date, Status, Note, in the workbook's "
              "language), or delete the sheet if it holds no entries",
        "zh-CN": "请在该列上方补回列标题（实际访视日期、实际访视状态、备注，与工作簿语言一致）；该表没有录"
                 "入内容时可删除"},
    "err.no Visits or Decisions sheet found in the workbook": {
        "en": "no Visits or Decisions sheet found in the workbook",
        "zh-CN": "工作簿中没有访视计划表或研究者决策表"},
    "hint.import a workbook written by 'cc312-schedule xlsx' (the header rows Subject/Visit/Actual "
    "date/Status/Note must be kept)": {
        "en": "import a workbook written by 'cc312-schedule xlsx' (the header rows Subject/Visit/Actual "
              "date/Status/Note must be kept)",
        "zh-CN": "请导入由 'cc312-schedule xlsx' 生成的工作簿（须保留受试者、访视、实际访视日期、实际访视状"
                 "态、备注等标题行）"},
    "err.the workbook is too large to import: its sheets' used areas hold {a} cells, more than {b} ({c})": {
        "en": "the workbook is too large to import: its sheets' used areas hold {a} cells, more than {b} "
              "({c})",
        "zh-CN": "工作簿太大，无法导入：各工作表已用区域共 {a} 个单元格，超过 {b}（{c}）"},
    "hint.delete the sheets you added, and what is far outside the tables, save, and import again": {
        "en": "delete the sheets you added, and what is far outside the tables, save, and import again",
        "zh-CN": "请删除自行添加的工作表及表格以外远处的内容，保存后重新导入"},
    "err.sheet {a} is too large to import: its used area reaches {b} ({c} rows x {d} columns, more than "
    "{e} cells)": {
        "en": "sheet {a} is too large to import: its used area reaches {b} ({c} rows x {d} columns, more "
              "than {e} cells)",
        "zh-CN": "工作表 {a} 太大，无法导入：已用区域延伸至 {b}（{c} 行 × {d} 列，超过 {e} 个单元格）"},
    "hint.delete what is far outside the table ({a}), or the empty rows and columns after it, save, and "
    "import again": {
        "en": "delete what is far outside the table ({a}), or the empty rows and columns after it, save, "
              "and import again",
        "zh-CN": "请删除表格以外远处的内容（{a}）或其后的空行空列，保存后重新导入"},
    "err.not a date": {
        "en": "not a date",
        "zh-CN": "不是日期"},
    "hint.type the date as YYYY-MM-DD (a bare number is refused: which date is it?)": {
        "en": "type the date as YYYY-MM-DD (a bare number is refused: which date is it?)",
        "zh-CN": "请按 YYYY-MM-DD 输入日期（单独的数字无法判断是哪一天，不予接受）"},
    "hint.open it and save it again": {
        "en": "open it and save it again",
        "zh-CN": "请打开后重新保存"},
    "err.the workbook unpacks to more than {a} bytes: refusing to read it": {
        "en": "the workbook unpacks to more than {a} bytes: refusing to read it",
        "zh-CN": "工作簿解压后超过 {a} 字节：拒绝读取"},
    "hint.is this the right file? Delete unused sheets and try again": {
        "en": "is this the right file? Delete unused sheets and try again",
        "zh-CN": "请确认文件是否正确；删除不用的工作表后重试"},
    "err.an id typed as a number (leading zeros are lost)": {
        "en": "an id typed as a number (leading zeros are lost)",
        "zh-CN": "编号被输入为数字（开头的 0 已丢失）"},
    "hint.format the column as Text and type the id as in subjects.csv, e.g. 001": {
        "en": "format the column as Text and type the id as in subjects.csv, e.g. 001",
        "zh-CN": "请将该列设为“文本”格式，并按 subjects.csv 的写法输入编号，例如 001"},
    "err.an entry on a row without subject and visit": {
        "en": "an entry on a row without subject and visit",
        "zh-CN": "该行没有受试者和访视，却有录入内容"},
    "hint.keep the Subject and Visit cells of the row you type in": {
        "en": "keep the Subject and Visit cells of the row you type in",
        "zh-CN": "请保留所录入行的受试者和访视单元格"},
    "err.a done visit needs its actual date": {
        "en": "a done visit needs its actual date",
        "zh-CN": "已完成的访视须填写实际访视日期"},
    "hint.type the date it was done, YYYY-MM-DD": {
        "en": "type the date it was done, YYYY-MM-DD",
        "zh-CN": "请输入完成日期（YYYY-MM-DD）"},
    "err.a missed visit has no actual date": {
        "en": "a missed visit has no actual date",
        "zh-CN": "漏访的访视不填写实际访视日期"},
    "hint.clear the date, or set the status to done": {
        "en": "clear the date, or set the status to done",
        "zh-CN": "请清除日期，或将状态改为已完成"},
    "err.a decision without a subject": {
        "en": "a decision without a subject",
        "zh-CN": "研究者决策缺少受试者"},
    "hint.type the subject id": {
        "en": "type the subject id",
        "zh-CN": "请输入受试者编号"},
    "err.a decision needs its date": {
        "en": "a decision needs its date",
        "zh-CN": "研究者决策须填写决策日期"},
    "hint.type YYYY-MM-DD": {
        "en": "type YYYY-MM-DD",
        "zh-CN": "请输入 YYYY-MM-DD"},
    "err.a decision needs its action": {
        "en": "a decision needs its action",
        "zh-CN": "研究者决策须填写决策类型"},
    "hint.choose continue, stop, hold or resume": {
        "en": "choose continue, stop, hold or resume",
        "zh-CN": "请选择继续治疗、停止治疗、暂停给药或恢复给药"},
    "err.a formula in an entry cell": {
        "en": "a formula in an entry cell",
        "zh-CN": "录入单元格中有公式"},
    "hint.type the value itself: text with a leading ' (e.g. '=x), a date as a date or YYYY-MM-DD": {
        "en": "type the value itself: text with a leading ' (e.g. '=x), a date as a date or YYYY-MM-DD",
        "zh-CN": "请直接输入取值：以 ' 开头的文本（如 '=x），日期按日期格式或 YYYY-MM-DD 输入"},
    "err.a date with a time of day": {
        "en": "a date with a time of day",
        "zh-CN": "日期带有时间"},
    "hint.type the date alone, YYYY-MM-DD": {
        "en": "type the date alone, YYYY-MM-DD",
        "zh-CN": "请只输入日期（YYYY-MM-DD）"},
    "err.two sheets hold {a} entries: {b} and {c}": {
        "en": "two sheets hold {a} entries: {b} and {c}",
        "zh-CN": "两个工作表都有{a}录入内容：{b} 和 {c}"},
    "hint.keep the entries in one {a} sheet: copy the ones you need into it and delete the other sheet (or "
    "its header row)": {
        "en": "keep the entries in one {a} sheet: copy the ones you need into it and delete the other "
              "sheet (or its header row)",
        "zh-CN": "请只在一个{a}表中录入：把需要的内容复制过去，再删除另一个表（或其标题行）"},
    "err.must be a whole number of weeks >= 1": {
        "en": "must be a whole number of weeks >= 1",
        "zh-CN": "须为不小于 1 的整周数"},
    "hint.type a number such as 8, or leave it empty": {
        "en": "type a number such as 8, or leave it empty",
        "zh-CN": "请输入数字（如 8），或留空"},
    "err.say either --done DATE or --missed": {
        "en": "say either --done DATE or --missed",
        "zh-CN": "请给出 --done DATE 或 --missed"},
    "err.outside the study ({a} … {b})": {
        "en": "outside the study ({a} … {b})",
        "zh-CN": "超出研究期间（{a} … {b}）"},
    "hint.check the year and month": {
        "en": "check the year and month",
        "zh-CN": "请检查年份和月份"},
    "err.a note on a visit with nothing recorded": {
        "en": "a note on a visit with nothing recorded",
        "zh-CN": "该访视未记录结果，却有备注"},
    "hint.choose done (with the date) or missed": {
        "en": "choose done (with the date) or missed",
        "zh-CN": "请选择已完成（并填写日期）或漏访"},
    "hint.give the number of weeks (e.g. 8), or leave it out to run to the cap": {
        "en": "give the number of weeks (e.g. 8), or leave it out to run to the cap",
        "zh-CN": "请给出周数（如 8），或不填以持续至治疗上限"},
    "err.its window opens only on {a} (today is {b})": {
        "en": "its window opens only on {a} (today is {b})",
        "zh-CN": "其窗口期 {a} 才开始（今日为 {b}）"},
    "hint.record a visit as missed once its window has opened": {
        "en": "record a visit as missed once its window has opened",
        "zh-CN": "窗口期开始后才能记录漏访"},
    "hint.use continue, stop, hold or resume": {
        "en": "use continue, stop, hold or resume",
        "zh-CN": "请使用 continue、stop、hold 或 resume（继续治疗、停止治疗、暂停给药、恢复给药）"},
    "err.entered twice, differently (first at {a})": {
        "en": "entered twice, differently (first at {a})",
        "zh-CN": "录入了两次且内容不同（第一次在 {a}）"},
    "hint.keep one entry per subject and visit": {
        "en": "keep one entry per subject and visit",
        "zh-CN": "每位受试者的每次访视只保留一条录入"},
    "err.two different decisions for one subject on one day": {
        "en": "two different decisions for one subject on one day",
        "zh-CN": "同一受试者同一天有两条不同的研究者决策"},
    "hint.keep one decision per subject and day": {
        "en": "keep one decision per subject and day",
        "zh-CN": "每位受试者每天只保留一条研究者决策"},
    "err.first dose date out of range": {
        "en": "first dose date out of range",
        "zh-CN": "首次给药日期超出范围"},
    "hint.check the year: the plan and its follow-up must fit the calendar": {
        "en": "check the year: the plan and its follow-up must fit the calendar",
        "zh-CN": "请检查年份：访视计划及随访须在日历范围内"},
    "err.a second decision on the same day (first: {a})": {
        "en": "a second decision on the same day (first: {a})",
        "zh-CN": "同一天的第二条研究者决策（第一条：{a}）"},
    "err.a continue decision needs a regimen": {
        "en": "a continue decision needs a regimen",
        "zh-CN": "继续治疗决策须填写给药方案"},
    "err.before the first dose {a}": {
        "en": "before the first dose {a}",
        "zh-CN": "早于首次给药日期 {a}"},
    "hint.a decision follows the first dose": {
        "en": "a decision follows the first dose",
        "zh-CN": "研究者决策须在首次给药之后"},
    "err.after the subject withdrew on {a}": {
        "en": "after the subject withdrew on {a}",
        "zh-CN": "晚于受试者退出日期 {a}"},
    "hint.remove the decision or correct withdrawn_on in subjects.csv": {
        "en": "remove the decision or correct withdrawn_on in subjects.csv",
        "zh-CN": "请删除该决策，或更正 subjects.csv 中的 withdrawn_on"},
    "err.the subject was stopped on {a} ({b}); nothing may follow a stop": {
        "en": "the subject was stopped on {a} ({b}); nothing may follow a stop",
        "zh-CN": "受试者已于 {a} 停止治疗（{b}）；停止治疗之后不能再有决策"},
    "hint.remove this decision": {
        "en": "remove this decision",
        "zh-CN": "请删除该决策"},
    "hint.date the decision on or after {a}, or use hold/stop": {
        "en": "date the decision on or after {a}, or use hold/stop",
        "zh-CN": "请将决策日期定在 {a} 或之后，或改用暂停给药/停止治疗"},
    "err.already on hold since {a} ({b})": {
        "en": "already on hold since {a} ({b})",
        "zh-CN": "自 {a} 起已暂停给药（{b}）"},
    "hint.record a resume before a new hold": {
        "en": "record a resume before a new hold",
        "zh-CN": "请先记录恢复给药，再记录新的暂停"},
    "err.on hold since {a} ({b})": {
        "en": "on hold since {a} ({b})",
        "zh-CN": "自 {a} 起暂停给药中（{b}）"},
    "hint.use resume with a regimen to end a hold": {
        "en": "use resume with a regimen to end a hold",
        "zh-CN": "请用恢复给药（并填写给药方案）结束暂停"},
    "err.no first-dose slot within {a} days of {b}": {
        "en": "no first-dose slot within {a} days of {b}",
        "zh-CN": "{b} 起 {a} 天内没有可用的首次给药日期"},
    "hint.check the site calendar and capacity": {
        "en": "check the site calendar and capacity",
        "zh-CN": "请检查中心日历和输液位容量"},
    "err.not a new cohort: it has subjects": {
        "en": "not a new cohort: it has subjects",
        "zh-CN": "不是新队列：该队列已有受试者"},
    "hint.leave out --new-cohort to plan its next subject": {
        "en": "leave out --new-cohort to plan its next subject",
        "zh-CN": "请去掉 --new-cohort，为该队列的下一例受试者安排"},
    "err.is before --from {a}": {
        "en": "is before --from {a}",
        "zh-CN": "早于 --from {a}"},
    "hint.give --to on or after --from": {
        "en": "give --to on or after --from",
        "zh-CN": "--to 须不早于 --from"},
    "err.the protocol has no [participant] wording": {
        "en": "the protocol has no [participant] wording",
        "zh-CN": "方案中没有 [participant] 的受试者用语"},
    "hint.copy the [participant] tables of the bundled templates/cc312.toml": {
        "en": "copy the [participant] tables of the bundled templates/cc312.toml",
        "zh-CN": "请从自带的 templates/cc312.toml 复制 [participant] 各表"},
    "err.the {a} sheet needs more than {b} rows, Excel's limit; nothing was written": {
        "en": "the {a} sheet needs more than {b} rows, Excel's limit; nothing was written",
        "zh-CN": "{a}表需要超过 {b} 行（Excel 的上限）；未写入任何内容"},
    "hint.export fewer subjects (a study folder per cohort), or use 'plan --format csv', which has no row "
    "limit": {
        "en": "export fewer subjects (a study folder per cohort), or use 'plan --format csv', which has no "
              "row limit",
        "zh-CN": "请减少导出的受试者（每个队列一个研究文件夹），或使用没有行数上限的 'plan --format csv'"},
    "err.the audit trail's last line is incomplete": {
        "en": "the audit trail's last line is incomplete",
        "zh-CN": "稽查轨迹的最后一行不完整"},
    "err.the audit trail's last line is not an entry": {
        "en": "the audit trail's last line is not an entry",
        "zh-CN": "稽查轨迹的最后一行不是稽查记录"},
    "err.cannot read the audit trail: {a}": {
        "en": "cannot read the audit trail: {a}",
        "zh-CN": "无法读取稽查轨迹：{a}"},
    "err.the audit trail is not a regular file": {
        "en": "the audit trail is not a regular file",
        "zh-CN": "稽查轨迹不是普通文件"},
    "hint.put the real audit.csv in the study folder": {
        "en": "put the real audit.csv in the study folder",
        "zh-CN": "请把真正的 audit.csv 放回研究文件夹"},
    "err.the change failed, and its audit entries (from seq {a}) cannot be taken back: {b}": {
        "en": "the change failed, and its audit entries (from seq {a}) cannot be taken back: {b}",
        "zh-CN": "更改失败，且其稽查记录（自序号 {a} 起）无法撤回：{b}"},
    "hint.the study's files were not changed: remove those last lines and the head's update by hand, then "
    "run 'cc312-schedule audit verify STUDY'": {
        "en": "the study's files were not changed: remove those last lines and the head's update by hand, "
              "then run 'cc312-schedule audit verify STUDY'",
        "zh-CN": "研究文件未被更改：请手动删除这些末尾的行及 head 文件的更新，再运行 'cc312-schedule audit "
                 "verify STUDY'"},
    "err.{a} empty header cell{b} (the first is column {c})": {
        "en": "{a} empty header cell{b} (the first is column {c})",
        "zh-CN": "表头有 {a} 个空单元格（第一个在第 {c} 列）"},
    "err.{a} unknown column{b}: {c}": {
        "en": "{a} unknown column{b}: {c}",
        "zh-CN": "{a} 个未知列：{c}"},
    "hint.known columns: {a}": {
        "en": "known columns: {a}",
        "zh-CN": "可用的列：{a}"},
    "err.column appears {a} times": {
        "en": "column appears {a} times",
        "zh-CN": "该列出现了 {a} 次"},
    "hint.keep one": {
        "en": "keep one",
        "zh-CN": "请只保留一个"},
    "err.malformed CSV: {a}": {
        "en": "malformed CSV: {a}",
        "zh-CN": "CSV 格式错误"},
    "hint.a value with a quote must be written whole in quotes, its quotes doubled: \"said \"\"yes\"\"\"": {
        "en": "a value with a quote must be written whole in quotes, its quotes doubled: \"said "
              "\"\"yes\"\"\"",
        "zh-CN": "含双引号的取值须整体加双引号，其中的双引号写两次：\"said \"\"yes\"\"\""},
    "err.empty file": {
        "en": "empty file",
        "zh-CN": "文件为空"},
    "err.unknown column": {
        "en": "unknown column",
        "zh-CN": "未知列"},
    "hint.keep one of each": {
        "en": "keep one of each",
        "zh-CN": "每列只保留一个"},
    "err.{a} columns appear more than once: {b}": {
        "en": "{a} columns appear more than once: {b}",
        "zh-CN": "{a} 列重复出现：{b}"},
    "err.missing date": {
        "en": "missing date",
        "zh-CN": "缺少日期"},
    "hint.write it as YYYY-MM-DD": {
        "en": "write it as YYYY-MM-DD",
        "zh-CN": "请写成 YYYY-MM-DD"},
    "hint.delete it (a NUL, an escape or another control character is never part of this value)": {
        "en": "delete it (a NUL, an escape or another control character is never part of this value)",
        "zh-CN": "请删除它（NUL、转义符等控制字符不会是取值的一部分）"},
    "hint.write [calendar] on a line of its own": {
        "en": "write [calendar] on a line of its own",
        "zh-CN": "请把 [calendar] 单独写在一行"},
    "err.must be true or false": {
        "en": "must be true or false",
        "zh-CN": "须为 true 或 false"},
    "err.must be a list of weekday names": {
        "en": "must be a list of weekday names",
        "zh-CN": "须为星期名称的列表"},
    "err.must be a whole number >= 1": {
        "en": "must be a whole number >= 1",
        "zh-CN": "须为不小于 1 的整数"},
    "hint.the number of infusion chairs; leave the key out for no limit": {
        "en": "the number of infusion chairs; leave the key out for no limit",
        "zh-CN": "输液位数量；不限时请省略该项"},
    "hint.use closed or open": {
        "en": "use closed or open",
        "zh-CN": "请使用 closed 或 open"},
    "err.missing reason": {
        "en": "missing reason",
        "zh-CN": "缺少原因"},
    "hint.say why, e.g. 'pharmacy inventory' or 'weekend clinic'": {
        "en": "say why, e.g. 'pharmacy inventory' or 'weekend clinic'",
        "zh-CN": "请写明原因，例如“药房盘点”或“周末门诊”"},
    "err.listed twice (first on line {a})": {
        "en": "listed twice (first on line {a})",
        "zh-CN": "重复列出（第一次在第 {a} 行）"},
    "hint.keep one row per date": {
        "en": "keep one row per date",
        "zh-CN": "每个日期只保留一行"},
    "err.must be a string": {
        "en": "must be a string",
        "zh-CN": "须为文本"},
    "err.unknown preference": {
        "en": "unknown preference",
        "zh-CN": "未知的偏好"},
    "hint.use \"earlier\" or \"later\"": {
        "en": "use \"earlier\" or \"later\"",
        "zh-CN": "请使用 \"earlier\" 或 \"later\""},
    "err.not known to the holidays package": {
        "en": "not known to the holidays package",
        "zh-CN": "holidays 软件包中没有该地区"},
    "hint.use an ISO 3166 code such as \"CN\" (and a subdivision it lists), or country = \"\" for none": {
        "en": "use an ISO 3166 code such as \"CN\" (and a subdivision it lists), or country = \"\" for none",
        "zh-CN": "请使用 ISO 3166 代码，如 \"CN\"（及其所列的地区代码），不使用节假日时写 country = \"\""},
    "err.required: the study's name": {
        "en": "required: the study's name",
        "zh-CN": "必填：研究名称"},
    "hint.add name = \"...\"": {
        "en": "add name = \"...\"",
        "zh-CN": "请添加 name = \"...\""},
    "err.unsupported language": {
        "en": "unsupported language",
        "zh-CN": "不支持的语言"},
    "err.must be a list of strings": {
        "en": "must be a list of strings",
        "zh-CN": "须为文本列表"},
    "err.a withdrawal needs its date": {
        "en": "a withdrawal needs its date",
        "zh-CN": "退出研究须填写日期"},
    "hint.fill withdrawn_on, or leave withdrawal empty": {
        "en": "fill withdrawn_on, or leave withdrawal empty",
        "zh-CN": "请填写 withdrawn_on，或将 withdrawal 留空"},
    "err.{a} date(s) are no longer ISO dates (a spreadsheet program saved the file: {b}/{c}/{d} instead of "
    "{e}-{f}-{g})": {
        "en": "{a} date(s) are no longer ISO dates (a spreadsheet program saved the file: {b}/{c}/{d} "
              "instead of {e}-{f}-{g})",
        "zh-CN": "{a} 个日期已不是 YYYY-MM-DD 格式（表格软件保存文件时写成了 {b}/{c}/{d}，而非 {e}-{f}-{g}"
                 "）"},
    "hint.write every date as YYYY-MM-DD; in Excel or WPS, format the date columns as yyyy-mm-dd (or as "
    "Text) before saving, or edit the file in a text editor": {
        "en": "write every date as YYYY-MM-DD; in Excel or WPS, format the date columns as yyyy-mm-dd (or "
              "as Text) before saving, or edit the file in a text editor",
        "zh-CN": "请把所有日期写成 YYYY-MM-DD；在 Excel 或 WPS 中先将日期列设为 yyyy-mm-dd（或“文本”）格式"
                 "再保存，或用文本编辑器修改该文件"},
    "err.not a refresh interval": {
        "en": "not a refresh interval",
        "zh-CN": "不是有效的刷新间隔"},
    "err.missing subject id": {
        "en": "missing subject id",
        "zh-CN": "缺少受试者编号"},
    "err.unknown disease code": {
        "en": "unknown disease code",
        "zh-CN": "未知的疾病代码"},
    "err.is not before the first dose": {
        "en": "is not before the first dose",
        "zh-CN": "不早于首次给药日期"},
    "err.is after the first dose date": {
        "en": "is after the first dose date",
        "zh-CN": "晚于首次给药日期"},
    "hint.consent must be signed before dosing": {
        "en": "consent must be signed before dosing",
        "zh-CN": "知情同意须在给药前签署"},
    "err.unknown withdrawal": {
        "en": "unknown withdrawal",
        "zh-CN": "未知的退出类型"},
    "hint.use consent (nothing after the date) or treatment (EOT and follow-up stay planned)": {
        "en": "use consent (nothing after the date) or treatment (EOT and follow-up stay planned)",
        "zh-CN": "请使用 consent（该日期后不再安排任何访视）或 treatment（保留治疗结束访视和随访）"},
    "err.missing visit name": {
        "en": "missing visit name",
        "zh-CN": "缺少访视名称"},
    "hint.leave it empty, or set status to done": {
        "en": "leave it empty, or set status to done",
        "zh-CN": "请留空，或将状态改为 done"},
    "hint.study.toml needs no nesting deeper than [calendar]; remove the nested brackets": {
        "en": "study.toml needs no nesting deeper than [calendar]; remove the nested brackets",
        "zh-CN": "study.toml 的嵌套不需要比 [calendar] 更深；请删除多层嵌套的括号"},
    "err.not a reminder": {
        "en": "not a reminder",
        "zh-CN": "不是有效的提醒时间"},
    "hint.use \"N minutes before\", \"N hours before\", \"HH:MM the working day before\", "
    "\"HH:MM N working days before\", \"HH:MM the day before\", \"HH:MM N days before\" "
    "or \"HH:MM on the day\"": {
        "en": "use \"N minutes before\", \"N hours before\", \"HH:MM the working day before\", "
              "\"HH:MM N working days before\", \"HH:MM the day before\", \"HH:MM N days before\" "
              "or \"HH:MM on the day\"",
        "zh-CN": "请使用 \"N minutes before\"、\"N hours before\"、\"HH:MM the working day before\"、"
                 "\"HH:MM N working days before\"、\"HH:MM the day before\"、\"HH:MM N days before\""
                 " 或 \"HH:MM on the day\""},
    # serve --lock-wait (issue 21, the desk under load)
    "hint.seconds, more than 0 and at most 600": {
        "en": "seconds, more than 0 and at most 600",
        "zh-CN": "单位为秒，须大于 0 且不超过 600"},
    "err.not a valid subject id: {a}": {
        "en": "not a valid subject id: {a}",
        "zh-CN": "不是有效的受试者编号：{a}"},
    "err.missing {a}": {
        "en": "missing {a}",
        "zh-CN": "缺少 {a}"},
    "err.missing investigator": {
        "en": "missing investigator",
        "zh-CN": "缺少研究者"},
    "hint.every decision names the investigator who made it": {
        "en": "every decision names the investigator who made it",
        "zh-CN": "每条决策须写明作出决策的研究者"},
    "err.more than {a} days before the visit": {
        "en": "more than {a} days before the visit",
        "zh-CN": "早于访视 {a} 天以上"},
    "hint.a reminder is at most 4 weeks ahead": {
        "en": "a reminder is at most 4 weeks ahead",
        "zh-CN": "提醒最多提前 4 周"},
    "err.duplicate subject id (first on line {a})": {
        "en": "duplicate subject id (first on line {a})",
        "zh-CN": "受试者编号重复（第一次在第 {a} 行）"},
    "err.recorded twice (first on line {a})": {
        "en": "recorded twice (first on line {a})",
        "zh-CN": "重复记录（第一次在第 {a} 行）"},
    "hint.keep one row per subject and visit": {
        "en": "keep one row per subject and visit",
        "zh-CN": "每位受试者的每次访视只保留一行"},
    "err.the lock file is not a regular file of its own": {
        "en": "the lock file is not a regular file of its own",
        "zh-CN": "锁文件不是独立的普通文件"},
    "hint.delete it (the lock file is created anew)": {
        "en": "delete it (the lock file is created anew)",
        "zh-CN": "请删除它（锁文件会重新创建）"},
    "err.not a study folder (no study.toml)": {
        "en": "not a study folder (no study.toml)",
        "zh-CN": "不是研究文件夹（没有 study.toml）"},
    "err.not a user name": {
        "en": "not a user name",
        "zh-CN": "不是有效的用户名"},
    "hint.letters, digits and . _ @ -, at most 64, e.g. li.na": {
        "en": "letters, digits and . _ @ -, at most 64, e.g. li.na",
        "zh-CN": "可用字母、数字及 . _ @ -，最多 64 个字符，例如 zhang.wei"},
    "err.the password is too long: at most {a} characters": {
        "en": "the password is too long: at most {a} characters",
        "zh-CN": "密码太长：最多 {a} 个字符"},
    "err.unknown role": {
        "en": "unknown role",
        "zh-CN": "未知角色"},
    "err.the display name must be 1 to 200 characters": {
        "en": "the display name must be 1 to 200 characters",
        "zh-CN": "显示名称须为 1 至 200 个字符"},
    "err.the user is disabled": {
        "en": "the user is disabled",
        "zh-CN": "该用户已停用"},
    "hint.a disabled user gets no token": {
        "en": "a disabled user gets no token",
        "zh-CN": "已停用的用户不能获得令牌"},
    "err.cannot open the desk database: {a}": {
        "en": "cannot open the desk database: {a}",
        "zh-CN": "无法打开研究中心工作台数据库：{a}"},
    "err.the desk database is not a regular file": {
        "en": "the desk database is not a regular file",
        "zh-CN": "研究中心工作台数据库不是普通文件"},
    "hint.remove it; it is created anew": {
        "en": "remove it; it is created anew",
        "zh-CN": "请删除它，会重新创建"},
    "err.cannot read the desk database: {a}": {
        "en": "cannot read the desk database: {a}",
        "zh-CN": "无法读取研究中心工作台数据库：{a}"},
    "hint.restore it from a copy, or move it away to start anew": {
        "en": "restore it from a copy, or move it away to start anew",
        "zh-CN": "请从备份恢复，或将其移走后重新开始"},
    "err.the desk database is a symbolic link: refusing it": {
        "en": "the desk database is a symbolic link: refusing it",
        "zh-CN": "研究中心工作台数据库是符号链接：拒绝使用"},
    "hint.move the real file into the study folder": {
        "en": "move the real file into the study folder",
        "zh-CN": "请把真正的文件移入研究文件夹"},
    "err.the desk database has schema version {a}; this version reads {b}": {
        "en": "the desk database has schema version {a}; this version reads {b}",
        "zh-CN": "研究中心工作台数据库的结构版本为 {a}；本版本读取 {b}"},
    "hint.use the cc312-schedule version that made it": {
        "en": "use the cc312-schedule version that made it",
        "zh-CN": "请使用创建它的 cc312-schedule 版本"},
    # ---- end of the rest of the errors ------------------------------------------------
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
    # a weekend day the State Council's notice makes a working day: 调休上班, as the notice says
    # "10月10日（周六）上班" (review H2, C14; the glossary's 调休工作日 read as a library phrase)
    "open.workday": {"en": "official make-up working day", "zh-CN": "调休上班"},
    "open.named": {"en": "{name}", "zh-CN": "{name}"},  # an open day given as a plain name
    # ---- issue 22, review H2-H4, C14, C15: holiday breaks and make-up working days -----------
    # (store/sitecal.py name_breaks: one label for every day of a break; HOLIDAY_IDS maps the
    # holidays package's English names to these ids)
    "holiday.break": {"en": "{name} holiday", "zh-CN": "{name}假期"},
    "holiday.and": {"en": " and ", "zh-CN": "、"},  # two holidays in one break (2025: 国庆节、中秋节)
    "holiday.estimated": {"en": "{name} (estimated)", "zh-CN": "{name}（预估）"},
    "holiday.new_year": {"en": "New Year's Day", "zh-CN": "元旦"},
    "holiday.spring_festival": {"en": "Spring Festival", "zh-CN": "春节"},  # 除夕 included (H4)
    "holiday.qingming": {"en": "Qingming Festival", "zh-CN": "清明节"},
    "holiday.labour_day": {"en": "Labour Day", "zh-CN": "劳动节"},
    "holiday.dragon_boat": {"en": "Dragon Boat Festival", "zh-CN": "端午节"},
    "holiday.mid_autumn": {"en": "Mid-Autumn Festival", "zh-CN": "中秋节"},
    "holiday.national_day": {"en": "National Day", "zh-CN": "国庆节"},
    # a visit moved onto a day the site is open although it usually is not (C14): the reason says
    # which day and why, 「…；已调整至 2026-10-10（周六，调休上班）」
    # a calendar's planned or actual date on such a day: 2026-10-10（周六） · 调休上班
    "value.open_day": {"en": "{date} · {open}", "zh-CN": "{date} · {open}"},
    "r.moved_open": {"en": "{target} closed: {closed}; moved to {day} ({weekday}, {open})",
                     "zh-CN": "{target} {closed}停诊；已调整至 {day}（{weekday}，{open}）"},
    "r.moved_interval_open": {
        "en": "{target} closed: {closed}; the nearer open day {skipped} is less than {gap} days "
              "from a neighbouring dose: moved to {day} ({weekday}, {open}), the nearest open day "
              "in the window that keeps the minimum interval",
        "zh-CN": "{target} {closed}停诊；较近的工作日 {skipped} 与相邻给药间隔不足 {gap} 天，"
                 "已调整至 {day}（{weekday}，{open}），即窗口期内满足最小给药间隔的最近工作日"},
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
    # ---- issue 22, review C11: the due list's CSV headers (due.py to_due_csv). English: the
    # column codes tools read (unchanged); Chinese: for people, the codes of section, kind and
    # status repeated at the end under their English names
    "due.csv.day": {"en": "day", "zh-CN": "日期"},
    "due.csv.section": {"en": "section", "zh-CN": "类别"},
    "due.csv.subject_id": {"en": "subject_id", "zh-CN": "受试者"},
    "due.csv.cohort": {"en": "cohort", "zh-CN": "队列"},
    "due.csv.dose_level": {"en": "dose_level", "zh-CN": "剂量组"},
    "due.csv.visit": {"en": "visit", "zh-CN": "访视"},
    "due.csv.kind": {"en": "kind", "zh-CN": "访视类型"},
    "due.csv.status": {"en": "status", "zh-CN": "状态"},
    "due.csv.planned_date": {"en": "planned_date", "zh-CN": "计划访视日期"},
    "due.csv.time": {"en": "time", "zh-CN": "时间"},
    "due.csv.window_start": {"en": "window_start", "zh-CN": "窗口期起"},
    "due.csv.window_end": {"en": "window_end", "zh-CN": "窗口期止"},
    "due.csv.dose_number": {"en": "dose_number", "zh-CN": "给药序号"},
    "due.csv.regimen": {"en": "regimen", "zh-CN": "给药方案"},
    "due.csv.procedures": {"en": "procedures", "zh-CN": "访视检查项目"},
    "due.csv.days_late": {"en": "days_late", "zh-CN": "逾期天数"},
    "due.csv.warnings": {"en": "warnings", "zh-CN": "警告"},
    "due.csv.warning": {"en": "{kind}: {text}", "zh-CN": "【{kind}】{text}"},
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
    "handout.kind.dose": {"en": "Infusion", "zh-CN": "输液"},  # A10
    "handout.kind.assessment": {"en": "Check-up and treatment decision", "zh-CN": "继续治疗评估"},
    "handout.kind.review": {"en": "Check-up and treatment decision", "zh-CN": "定期评估"},
    "handout.kind.eot": {"en": "End-of-treatment visit", "zh-CN": "治疗结束访视"},
    "handout.kind.follow-up": {"en": "Follow-up visit", "zh-CN": "随访"},
    "handout.legend.dose": {"en": "Infusion", "zh-CN": "输液"},
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
        "zh-CN": "请采取有效的避孕措施，直至 {date}（最后一次输液后6个月）。",  # A9
    },
    "handout.contraception.tbc": {
        "en": "This date depends on your last dose and moves later if you receive more doses; "
              "the study team will tell you.",
        "zh-CN": "该日期取决于您最后一次输液的日期；如继续输液，日期将相应推后，研究人员会告知您。",
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
        "en": "{protocol} · participant schedule, {version} · plan of {generated}",
        "zh-CN": "{protocol} · 受试者访视安排表 · {version} · 计划生成于{generated}",
    },
    # the wording's version as the ethics committee approved it (review A11): 版本号 and
    # 版本日期 apart; a protocol file without version_date prints its version alone
    "handout.version.dated": {"en": "version {version} of {date}",
                              "zh-CN": "版本号：{version} · 版本日期：{date}"},
    "handout.version": {"en": "version {version}", "zh-CN": "版本号：{version}"},
    "handout.page": {"en": "page {page} of {pages}", "zh-CN": "第 {page} 页，共 {pages} 页"},
    # ---- issue 22, the review's print items (wave-print): handout A2, due list C2/C5/C7/C10,
    # calendars D1/D4-D7 --------------------------------------------------------------------
    # A2: a visit planned before the schedule's first day whose window is still open
    "handout.date_late": {"en": "{date} (you can still come, from today {today})",
                          "zh-CN": "{date}（可于今天{today}起到访）"},
    "handout.window.today": {"en": "please come today", "zh-CN": "请于今天到访"},
    "handout.window.call": {"en": "please call the study team", "zh-CN": "请尽快致电研究团队"},
    "due.count": {"en": "{label} ({n})", "zh-CN": "{label}（{n}）"},  # C2: section headings
    "due.colon": {"en": "{label}:", "zh-CN": "{label}："},
    "due.totals_of": {"en": "{totals} ({days})", "zh-CN": "{totals}（{days}）"},
    "due.warning_line": {"en": "{subject} {visit}: {message} [{label}]",
                         "zh-CN": "{subject} {visit}：{message}【{label}】"},
    # C7: a range's visits are those of each day, not "today's"
    "due.section.today.range": {"en": "visits that day", "zh-CN": "当日访视"},
    "kind.dose_n": {"en": "dose {n}", "zh-CN": "第{n}次给药"},  # C10: as the calendars say it
    "regimen.inner": {"en": ", {text}", "zh-CN": "，{text}"},  # D1: a label's own bracket
    "flag.overdue": {"en": "OVERDUE", "zh-CN": "已逾期"},  # D4
    "value.window.one": {"en": "{day} only", "zh-CN": "仅限 {day}当天"},  # D5
    # D6: 当日顺序：先 REV-W20（定期评估），后 W21D1（给药）
    "value.order.item": {"en": "{visit} ({kind})", "zh-CN": "{visit}（{kind}）"},
    "value.order.first": {"en": "first {item}", "zh-CN": "先 {item}"},
    "value.order.then": {"en": "then {item}", "zh-CN": "再 {item}"},
    "value.order.last": {"en": "then {item}", "zh-CN": "后 {item}"},
    "value.order.sep": {"en": ", ", "zh-CN": "，"},
    "order.kind.dose": {"en": "dose", "zh-CN": "给药"},
    "order.kind.assessment": {"en": "assessment", "zh-CN": "继续治疗评估"},
    "order.kind.review": {"en": "review", "zh-CN": "定期评估"},
    "order.kind.eot": {"en": "end of treatment", "zh-CN": "治疗结束访视"},
    "order.kind.follow-up": {"en": "follow-up", "zh-CN": "随访"},
    # D7: a reminder on an earlier day asks the nurse to remind the participant
    "alarm.ahead": {"en": "Visit on {day}: remind the participant (phone or message): {summary}",
                    "zh-CN": "{day}访视，请电话或微信提醒受试者：{summary}"},
    # ---- end of the wave-print block -------------------------------------------------------
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
    "desk.subject.unknown": {"en": "No subject {id}.", "zh-CN": "未找到受试者 {id}。"},
    # ---- desk pages review (issue 21 §3, §4): provisional visits, API signature meaning ----
    "desk.subject.assume": {"en": "Provisional visits if the decision continues on",
                            "zh-CN": "显示暂定访视，假设决策为继续"},
    "desk.subject.assume_none": {"en": "(do not show)", "zh-CN": "（不显示）"},
    "desk.subject.show": {"en": "Show", "zh-CN": "显示"},
    "desk.subject.provisional": {
        "en": "Provisional, if the decision continues on {regimen} (not a decision): {doses} more "
              "doses, last {last}; EOT {eot}; follow-up until {fu}; contraception until {contraception}",
        "zh-CN": "暂定（假设继续 {regimen} 方案，并非研究者决策）：还将给药 {doses} 次，末次 {last}；"
                 "治疗结束访视 {eot}；随访至 {fu}；避孕至 {contraception}"},
    "desk.api.decision_meaning": {
        "en": "Decided by {name}, investigator, for subject {id} through the API with the token "
              "{token} (a tool the investigator authorised; no password asked).",
        "zh-CN": "研究者 {name} 通过接口令牌 {token} 对受试者 {id} 作出的决策（经研究者授权的工具"
                 "提交，未再次输入密码）。"},
    "desk.api.decision_needs_token": {
        "en": "a decision through the API is signed with an API token (Authorization: Bearer "
              "TOKEN); in the browser, sign it on the Decide page, which asks for the password",
        "zh-CN": "通过接口提交决策须使用接口令牌（Authorization: Bearer TOKEN）签名；在浏览器中请于"
                 "决策页面签名（需再次输入密码）"},
    "desk.unavailable": {
        "en": "The study cannot be read just now: {message}. The desk shows it again as soon as "
              "the files are corrected; try again in a moment.",
        "zh-CN": "暂时无法读取研究数据：{message}。文件更正后即可恢复，请稍后重试。"},
    "desk.internal_error": {"en": "Something went wrong on the server. Reload the page to see "
                                  "what is recorded; if it happens again, tell the study's data "
                                  "manager.",
                            "zh-CN": "服务器出错。请刷新页面查看已记录的内容；如再次出现，请联系"
                                     "本研究的数据管理员。"},
    "desk.decide.closed_day": {"en": "site closed", "zh-CN": "中心停诊"},
    "desk.exports.subject_calendars": {
        "en": "Each subject's calendar: its subscription address and QR code on the subject's page",
        "zh-CN": "各受试者的日历：在受试者页面查看日历订阅地址和二维码"},
    # ---- end of desk pages review ----
    "desk.timeline.today": {"en": "today", "zh-CN": "今天"},
    "desk.timeline.label": {"en": "Timeline of subject {id}: {counts}",
                            "zh-CN": "受试者 {id} 的时间轴：{counts}"},
    "desk.decide.title": {"en": "Decision for subject {id}", "zh-CN": "受试者 {id} 的研究者决策"},
    "desk.decide.options": {"en": "The regimens side by side (decided on {day})",
                            "zh-CN": "各给药方案对比（决策日期 {day}）"},
    "desk.decide.doses": {"en": "Doses", "zh-CN": "给药次数"},
    "desk.decide.dates": {"en": "Dose dates", "zh-CN": "给药日期"},
    "desk.decide.last_dose": {"en": "Last dose", "zh-CN": "末次给药日期"},
    "desk.decide.load": {"en": "Site's busiest of these days", "zh-CN": "中心单日最多给药例数"},
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
    # ---- the desk's users page (desk/users_pages.py) and the users library's refusals
    # (store/users.py, as the page and the command line show them) -- issue 21, sessions ----
    "desk.nav.users": {"en": "Users", "zh-CN": "用户管理"},
    "desk.users.title": {"en": "Users of the desk", "zh-CN": "工作台用户"},
    "desk.users.hint": {
        "en": "Disabling a user ends their sessions and API tokens at once; nothing is deleted "
              "(the audit trail keeps their name). A new password ends their other sessions.",
        "zh-CN": "停用用户后，其会话与 API 令牌立即失效；不删除任何记录（稽查轨迹保留其姓名）。"
                 "重置密码后，该用户的其他会话均结束。"},
    "desk.users.you": {"en": "you", "zh-CN": "本人"},
    "desk.users.enabled": {"en": "enabled", "zh-CN": "已启用"},
    "desk.users.disabled": {"en": "disabled", "zh-CN": "已停用"},
    "desk.users.display_name": {"en": "Display name (signs decisions)", "zh-CN": "显示名（用于签名）"},
    "desk.users.last_login": {"en": "Last login", "zh-CN": "最近登录"},
    "desk.users.never": {"en": "never", "zh-CN": "从未登录"},
    "desk.users.sessions": {"en": "Open sessions", "zh-CN": "当前会话"},
    "desk.users.tokens": {"en": "API tokens", "zh-CN": "API 令牌"},
    "desk.users.disable": {"en": "Disable", "zh-CN": "停用"},
    "desk.users.enable": {"en": "Enable", "zh-CN": "启用"},
    "desk.users.token": {"en": "New API token", "zh-CN": "生成 API 令牌"},
    "desk.users.reset": {"en": "New password", "zh-CN": "重置密码"},
    "desk.users.reset_submit": {"en": "Set the new password", "zh-CN": "保存新密码"},
    "desk.users.add": {"en": "Add a user", "zh-CN": "添加用户"},
    "desk.users.add_submit": {"en": "Add the user", "zh-CN": "添加"},
    "desk.users.password": {"en": "Password (at least {n} characters)",
                            "zh-CN": "密码（至少 {n} 个字符）"},
    "desk.users.password2": {"en": "The same password again", "zh-CN": "再次输入密码"},
    "desk.users.differ": {"en": "Not saved: the two passwords differ.",
                          "zh-CN": "未保存：两次输入的密码不一致。"},
    "desk.users.added": {"en": "Added {name} ({role}).", "zh-CN": "已添加用户 {name}（{role}）。"},
    "desk.users.disabled_done": {
        "en": "{name} is disabled: their sessions and API tokens stopped working.",
        "zh-CN": "已停用用户 {name}：其会话与 API 令牌已失效。"},
    "desk.users.enabled_done": {"en": "{name} is enabled again.", "zh-CN": "已重新启用用户 {name}。"},
    # every user's own password page (/password)
    "desk.nav.password": {"en": "My password", "zh-CN": "修改密码"},
    "desk.password.title": {"en": "Change my password", "zh-CN": "修改我的密码"},
    "desk.password.hint": {
        "en": "After the change your other sessions (another browser, a phone) end; this one "
              "stays.",
        "zh-CN": "修改后，您在其他浏览器或手机上的会话将结束，当前会话保留。"},
    "desk.password.current": {"en": "Current password", "zh-CN": "当前密码"},
    "desk.password.new": {"en": "New password (at least {n} characters)",
                          "zh-CN": "新密码（至少 {n} 个字符）"},
    "desk.password.new2": {"en": "The new password again", "zh-CN": "再次输入新密码"},
    "desk.password.submit": {"en": "Change the password", "zh-CN": "保存新密码"},
    "desk.password.wrong": {"en": "Not saved: the current password is wrong.",
                            "zh-CN": "未保存：当前密码错误。"},
    "desk.password.done": {"en": "Your password is changed; your other sessions have ended.",
                           "zh-CN": "密码已修改，您的其他会话均已结束。"},
    "desk.users.password_done": {
        "en": "New password set for {name}; their other sessions have ended.",
        "zh-CN": "已为 {name} 设置新密码，其其他会话均已结束。"},
    "desk.users.not_yourself": {
        "en": "Not saved: you cannot disable yourself (another coordinator can).",
        "zh-CN": "未保存：不能停用自己的账号（请由其他协调员操作）。"},
    "desk.users.token_title": {"en": "New API token for {name}", "zh-CN": "{name} 的新 API 令牌"},
    "desk.users.token_once": {
        "en": "Shown this once: copy it now and keep it secret (a tool sends it as "
              "'Authorization: Bearer TOKEN'). Only its hash is kept.",
        "zh-CN": "仅显示这一次：请立即复制并妥善保密（工具请求时以 'Authorization: Bearer TOKEN' "
                 "发送）。系统只保存其哈希值。"},
    "err.the password is too short: at least 10 characters": {
        "en": "the password is too short: at least 10 characters",
        "zh-CN": "密码太短：至少 10 个字符"},
    "err.the password is too long: at most 1024 characters": {
        "en": "the password is too long: at most 1024 characters",
        "zh-CN": "密码太长：最多 1024 个字符"},
    "err.the last enabled coordinator cannot be disabled": {
        "en": "the last enabled coordinator cannot be disabled",
        "zh-CN": "不能停用最后一位启用中的临床研究协调员"},
    "hint.add or enable another coordinator first": {
        "en": "add or enable another coordinator first",
        "zh-CN": "请先添加或启用另一位临床研究协调员"},
    "cli.user_enabled": {"en": "{name} is enabled", "zh-CN": "已启用用户 {name}"},

    # issue 21, the desk under load: a write that waited too long for the study's lock (503)
    "desk.busy": {"en": "Not saved: someone else is saving to the study right now (waited "
                        "{seconds} s). Nothing was lost: try again in a few seconds.",
                  "zh-CN": "未保存：其他人正在保存本研究的数据（已等待 {seconds} 秒）。"
                           "数据未丢失，请几秒后重试。"},

    # ---- new-user trial, desk (wave-desk3)
    "desk.today.date_needed": {
        "en": "Not saved: type the date the visit was really done (no date is assumed for an "
              "overdue visit or a visit on another day's list).",
        "zh-CN": "未保存：请填写实际访视日期（逾期访视或非今日名单中的访视不会默认填写日期）。"},
    "desk.error_separator": {"en": "; ", "zh-CN": "；"},
    "desk.workbook.no_file": {"en": "no file chosen", "zh-CN": "未选择文件"},
    "desk.workbook.amend_hint": {
        "en": "correct the entry, or write the reason in \u201c{field}\u201d and preview again",
        "zh-CN": "请更正录入内容，或在“{field}”中填写原因后重新预览"},
    "desk.language.en": {"en": "English", "zh-CN": "英文"},
    "desk.language.zh-CN": {"en": "Chinese", "zh-CN": "中文"},
    # the audit trail's users database: its name, fields and values in the page's language
    "desk.audit.file.users": {"en": "users", "zh-CN": "用户"},
    "desk.audit.users.role": {"en": "role", "zh-CN": "角色"},
    "desk.audit.users.password": {"en": "password", "zh-CN": "密码"},
    "desk.audit.users.display_name": {"en": "display name", "zh-CN": "显示名"},
    "desk.audit.users.disabled": {"en": "disabled", "zh-CN": "已停用"},
    "desk.audit.users.api_token": {"en": "API token", "zh-CN": "API 令牌"},
    "desk.audit.users.set": {"en": "(set)", "zh-CN": "（已设置）"},
    "desk.audit.users.issued": {"en": "issued {digest}", "zh-CN": "已签发 {digest}"},
    "desk.audit.yes": {"en": "yes", "zh-CN": "是"},
    "desk.audit.no": {"en": "no", "zh-CN": "否"},
    "desk.audit.why.new password": {"en": "new password", "zh-CN": "设置新密码"},
    # the reminder list under a day's list: the site's next open day after it (one bracket)
    "desk.today.remind": {"en": "To remind: due on {day}", "zh-CN": "提醒名单：{day}到访"},
    "desk.today.no_one_due": {"en": "Nobody is due on {day}.", "zh-CN": "{day}无受试者到访。"},
    # ---- new-user trial, command line (wave-cli3) ------------------------------------------
    # conflicts as texts (store/entry_values.py Conflict.text): whole in the study's language
    "entries.state": {"en": "{status}{day}{note}", "zh-CN": "{status}{day}{note}"},
    "entries.state_day": {"en": " {day}", "zh-CN": " {day}"},
    "entries.state_note": {"en": " “{note}”", "zh-CN": " “{note}”"},
    "entries.conflict_visit": {
        "en": "{visit} is recorded as {old} ({source}); the entry says {new}: not applied ({why})",
        "zh-CN": "{visit} 已记录为 {old}（{source}），本次录入为 {new}：未写入（{why}）"},
    "entries.why_amend": {"en": "correct the entry, or amend with a reason: --amend REASON",
                          "zh-CN": "请更正录入内容，或注明原因后更正：--amend REASON"},
    "entries.why_untracked": {
        "en": "this workbook has no record of what it was exported with (an older export, or its "
              "hidden sheet deleted), so a stale cell cannot be told from a correction: export a "
              "new workbook and type the correction there, or use 'record --amend'",
        "zh-CN": "此工作簿没有导出时内容的记录（较早导出的版本，或其隐藏工作表已被删除），无法区分"
                 "过时的单元格与更正：请导出新的工作簿并在其中录入更正，或使用 'record --amend'"},
    "entries.conflict_decision": {
        "en": "a different decision is recorded for {on} ({source}: {decision}): not applied "
              "(recorded decisions are never rewritten; date a new decision to supersede it)",
        "zh-CN": "{on} 已记录了不同的研究者决策（{source}：{decision}）：未写入（已记录的决策不会"
                 "被改写；如需变更，请另行录入一条日期较晚的新决策）"},
    "entries.conflict_of": {"en": "subject {subject}: {text}", "zh-CN": "受试者 {subject}：{text}"},
    # a date argument as typed by hand (core/days.parse_iso_date): every form said in Chinese
    "err.not an ISO date {given}: write it as YYYY-MM-DD ({iso})": {
        "en": "not an ISO date {given}: write it as YYYY-MM-DD ({iso})",
        "zh-CN": "日期格式应为 YYYY-MM-DD：{given}（应写作 {iso}）"},
    "err.ambiguous date {given}: write it as YYYY-MM-DD ({a} or {b}, whichever is meant)": {
        "en": "ambiguous date {given}: write it as YYYY-MM-DD ({a} or {b}, whichever is meant)",
        "zh-CN": "日期有歧义：{given}（请按 YYYY-MM-DD 写作 {a} 或 {b}，以实际日期为准）"},
    "err.{given} looks like an Excel serial number, not a date: format the column as text and "
    "write YYYY-MM-DD": {
        "en": "{given} looks like an Excel serial number, not a date: format the column as text "
              "and write YYYY-MM-DD",
        "zh-CN": "{given} 像是 Excel 的日期序列号，而不是日期：请将该列设为文本格式，并按 "
                 "YYYY-MM-DD 填写"},
    # serve's start and stop lines (desk/serve.py; the address stays as it is)
    "cli.desk_serving": {
        "en": "cc312-schedule desk of {folder} on {address} (stop: Ctrl-C or SIGTERM)",
        "zh-CN": "cc312-schedule 研究中心工作台已启动：{folder}，地址 {address}（停止：Ctrl-C 或 "
                 "SIGTERM）"},
    "cli.desk_stopped": {"en": "cc312-schedule desk stopped",
                         "zh-CN": "cc312-schedule 研究中心工作台已停止"},
    # the workbook's identifiers typed as numbers (entries/workbook_read.py): which one
    "err.a subject id typed as a number (leading zeros are lost)": {
        "en": "a subject id typed as a number (leading zeros are lost)",
        "zh-CN": "受试者编号被输入为数字（开头的 0 已丢失）"},
    "err.a visit typed as a number": {"en": "a visit typed as a number",
                                      "zh-CN": "访视被输入为数字"},
    "hint.type the visit as the plan names it, e.g. W1D1, D28 or EOT": {
        "en": "type the visit as the plan names it, e.g. W1D1, D28 or EOT",
        "zh-CN": "请按访视计划中的名称输入访视，例如 W1D1、D28 或 EOT"},
    # a line of what an import/record/decide changes, with where it came from: the
    # language's brackets and colon (store/entry_values.py EntryPlan.describe)
    "entries.line": {"en": "{text}  ({source})", "zh-CN": "{text}（{source}）"},
    "entries.line_amended": {"en": "{visit}: {old} -> {new}  ({why}; {source})",
                             "zh-CN": "{visit}：{old} → {new}（{why}；{source}）"},
    # the desk's lines of the same kinds (desk/pages.py, templates today, subject, audit_table)
    "desk.warning_item": {"en": "{label}: {message}", "zh-CN": "{label}：{message}"},
    "desk.amended_item": {"en": "{where}: {old} → {new} ({reason})",
                          "zh-CN": "{where}：{old} → {new}（{reason}）"},
    "desk.conflict_item": {"en": "{where}: {text}", "zh-CN": "{where}：{text}"},
    # the day list of a day that is not today, or of a range (reports/due.py section_label)
    "due.section.closing.range": {"en": "window closes that day or on the next open day",
                                  "zh-CN": "窗口期当日或下一工作日截止"},
    # a study's file given where its folder is expected (store/study.py study_folder_problem)
    "err.this is a file, not the study folder": {"en": "this is a file, not the study folder",
                                                 "zh-CN": "这是一个文件，而不是研究文件夹"},
    "hint.give the study folder instead: {folder}": {
        "en": "give the study folder instead: {folder}",
        "zh-CN": "请给出研究文件夹：{folder}"},
    # a missed visit without its reason (entries/writes.py; the desk's form says it first)
    "err.a missed visit needs its reason in the note": {
        "en": "a missed visit needs its reason in the note",
        "zh-CN": "记录漏访时请在备注中填写原因"},
    "hint.say why it did not happen: --note TEXT, or the Note column of the workbook": {
        "en": "say why it did not happen: --note TEXT, or the Note column of the workbook",
        "zh-CN": "请写明未进行访视的原因：--note TEXT，或工作簿的备注列"},
    # users add/password without --password-file and without a terminal (or Ctrl-D/Ctrl-C)
    "err.no password was given (no terminal to type it in, or the input ended)": {
        "en": "no password was given (no terminal to type it in, or the input ended)",
        "zh-CN": "未输入密码：没有可输入密码的终端，或输入已结束"},
    "hint.give it in a file: --password-file FILE (its first line), or run the command in a "
    "terminal and type it": {
        "en": "give it in a file: --password-file FILE (its first line), or run the command in "
              "a terminal and type it",
        "zh-CN": "请用 --password-file FILE 给出密码文件，密码写在第一行；或在终端中运行本命令并"
                 "输入密码"},
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
    # next-slot's English names the weekday (Thu); the Chinese date stands alone
    ("slot.skipped", "zh-CN"): frozenset({"abbr"}),
    ("slot.chosen", "zh-CN"): frozenset({"abbr"}),
}


def render_error(error: ScheduleError, lang: str) -> str:
    """An error as a person reads it in ``lang``: ``str(error)`` in English; in another
    language its message and hint in the catalogue's words (:func:`say_error`), with the
    language's punctuation. A catalogue text holding ``{value}`` says the bad value itself
    (“完成”), which is then not repeated after it.

    >>> from cc312_schedule.core.errors import UsageError, WorkbookError
    >>> print(render_error(UsageError("unknown subject", key="SUBJECT", value="3",
    ...                               hint="did you mean 003?"), "zh-CN"))
    SUBJECT：未知受试者：'3'（是否应为 003？）
    >>> print(render_error(WorkbookError("more than the protocol's cap of 24 weeks", value=30,
    ...       cell="研究者决策!E14"), "zh-CN"))
    研究者决策!E14：持续周数 30 超过方案规定的最长 24 周
    """
    if lang == "en":
        return str(error)
    said = getattr(error, "text", None)  # an error made as a Text (a conflict): said whole
    if isinstance(said, Text):
        colon = message(lang, "table.colon").strip() or ":"
        return error.render(say=lambda kind, t: said.render(lang) if kind == "err" else t,
                            colon=colon, space="", brackets=("（", "）"))
    value = str(error.value) if error.has_value else ""
    text, used = say_error(lang, "err", error.message, value=value)
    used = used or (bool(value) and repr(error.value) in text)  # said already: not again
    hint = say_error(lang, "hint", error.hint, value=value)[0] if error.hint else ""
    colon = message(lang, "table.colon").strip() or ":"
    def say(kind: str, said: str) -> str:  # a key is a column, an option or a cell, as typed,
        if kind == "key":                   # unless the catalogue has a word for it (key.*)
            return message(lang, f"key.{said}") if f"key.{said}" in MESSAGES else said
        return text if kind == "err" else hint

    return error.render(say=say, colon=colon, space="", brackets=("（", "）"),
                        show_value=not used)


def say_error(lang: str, prefix: str, text: str, *, value: str = "") -> tuple[str, bool]:
    """An error's English ``text`` (``prefix`` ``err``: a message; ``hint``: a hint) in
    ``lang``, and whether it holds the error's ``value``. The catalogue keys an error by its
    English text: ``err.<text>`` exactly, else a template ``err.… {field} …`` that matches it
    whole (each field's text said again the same way: "subject 006: <a message>"), else
    ``<prefix>.<head>:`` for ``head: rest``, ``did you mean``; a text without an entry stays as
    written (tests/test_issue_22_cli_chinese_everywhere.py finds those).

    >>> say_error("zh-CN", "err", "and 1,204 more errors like the ones above (not shown)")
    ('另有 1,204 个同类错误，未逐一列出', False)
    >>> say_error("zh-CN", "err", "not one of the choices", value="完成")
    ('“完成”不是可选值', True)
    """
    if lang == "en":
        return text, False
    key = f"{prefix}.{text}"
    fields: dict[str, str] = {}
    if key not in MESSAGES:
        for pattern, tkey in _error_templates(prefix):
            m = pattern.fullmatch(text)
            if m:
                key = tkey
                fields = {k: _listed(lang, say_error(lang, "err", v)[0])
                          for k, v in m.groupdict().items()}
                break
        else:
            head, sep, rest = text.partition(": ")  # "known subjects: 001, 002"
            if sep and f"{prefix}.{head}:" in MESSAGES:
                key, fields = f"{prefix}.{head}:", {"rest": _listed(lang, rest)}
            elif text.startswith("did you mean ") and f"{prefix}.did you mean" in MESSAGES:
                key, fields = f"{prefix}.did you mean", {"rest": text[13:].rstrip("?")}
            else:
                return text, False
    said = MESSAGES[key][lang]
    return said.format(value=value, **fields), "{value}" in said


_LIST = re.compile(r"[^,\s]+(?:, [^,\s]+)+")


def _listed(lang: str, text: str) -> str:
    """A list of names (``001, 002, 003``) joined as ``lang`` lists: 001、002、003."""
    if _LIST.fullmatch(text):
        return message(lang, "list.separator").join(text.split(", "))
    return text


_FIELD = re.compile(r"\{(\w+)\}")
_TEMPLATES: dict[str, list[tuple[re.Pattern[str], str]]] = {}


def _error_templates(prefix: str) -> list[tuple[re.Pattern[str], str]]:
    """The catalogue's ``err.``/``hint.`` ids with ``{fields}`` in their English key, as
    patterns (longest first: the most specific wins)."""
    if prefix not in _TEMPLATES:
        found = []
        for key in MESSAGES:
            if key.startswith(f"{prefix}.") and "{" in key:
                english = key[len(prefix) + 1:]
                parts = _FIELD.split(english)  # text, field, text, field, ..., text
                regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                                for i, p in enumerate(parts))
                found.append((re.compile(regex, re.DOTALL), key))
        _TEMPLATES[prefix] = sorted(found, key=lambda f: -len(f[1]))
    return _TEMPLATES[prefix]


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
    >>> regimen_label("zh-CN", "BIW")   # the label's own bracket becomes a comma
    'BIW（每周2次，第1、4天）'
    """
    key = f"regimen.{code}"
    if key not in MESSAGES:
        return code
    # never a bracket inside a bracket (review D1): 每周2次（第1、4天） inside BIW（…） reads
    # 每周2次，第1、4天
    label = message(lang, key)
    label = re.sub(r"[（(]([^（）()]*)[）)]", lambda m: message(lang, "regimen.inner", text=m[1]),
                   label)
    return message(lang, "regimen.label", code=code, label=label)


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
    is that date's weekday name (Sunday / 周日); a field named ``source`` holding a study
    file's row, ``decisions.csv:8``, reads ``decisions.csv 第8行`` in Chinese (JSON keeps it).

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
    """A field's value as ``lang`` writes it in a sentence.

    >>> _field("zh-CN", "source", "decisions.csv:8"), _field("en", "source", "decisions.csv:8")
    ('decisions.csv 第8行', 'decisions.csv:8')
    >>> _field("zh-CN", "source", "workbook")  # not a file's row: as given
    'workbook'
    """
    if key == "source" and isinstance(value, str):
        file, colon, line = value.rpartition(":")
        if colon and file and line.isdigit():
            return message(lang, "source.line", file=file, line=line)
        return value
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
