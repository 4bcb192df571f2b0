"""The checker of English left in a Chinese text (issue 22): runs of Latin letters that are
not names (files, paths, visit ids, codes, URLs, option names) nor values a user types.
Used by the CLI's table of runs and by the catalogue's own test."""

from __future__ import annotations

import re

#-------------------------------------------------------------------------

#: Tokens removed before the search, in this order: they are names, not words.
_ALLOWED_PATTERNS = [
    r"\bHH:MM\b|\byyyy-mm-dd\b|W<w>D<d>|REV-W<w>",             # forms to type
    r"\d{4}-\d\d-\d\dT[\d:]+(?:Z|[+-]\d\d:\d\d)?",                # a time stamp
    r"\b0x[0-9a-f]+\b",                                       # a byte: 0xb7
    r"\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b",         # a UID the server knows
    r"\b(?=[\w-]*\d)[a-z0-9]+(?:-[a-z0-9]+)+\b",               # a collection: cc312-subject-001
    r"[a-z]+://\S*?(?=[\s（）：，；“”、]|$)",                   # URLs
    r"(?<![\w-])--?[a-zA-Z][a-zA-Z-]*",                       # option names: --today, -o
    r"[\w.+-]*\.(?:csv|toml|xlsx|ics|json|xpt|pdf|html|xml|sqlite3|txt|tmp|lock)\b",  # files
    r"(?:[\w.-]*/)+[\w.-]*",                                  # paths
    r"\b(?:REV-)?W\d+(?:D\d+)?\b|\bD\d+\b|\bFU\d+\b",          # visit ids
    r"\b[A-Z][A-Z0-9_]*[0-9][A-Z0-9_]*\b",                    # codes with digits: DL1, Q2W, CC312
    r"\b[A-Z0-9]+(?:-[A-Z0-9]+)+\b",                          # ids: CC312-I-003
    r"\bYYYY-MM-DD\b|\bcc312-schedule\b|\bfonts-noto-cjk\b",
    r"\b[A-Z]{2,}\.[A-Z]{2,}\b",                              # SV.SVREASOC
    r"[\u4e00-\u9fff]+",                                      # Chinese (a Chinese name, a note)
    r"\[[a-z_.]+\]",                                          # a TOML table: [enrolment]
    r"(?<=：)[a-z_.]+(?=：)",                                   # a file's key or column: ：status：
    r"\b[A-Za-z]+_[A-Za-z0-9_]+\b|\bsha256\b",                 # identifiers: first_dose_date
    r"'[a-z_]+'",                                             # a key named in quotes: 'protocol'
    r'"[ -~]*?"',                                             # a value to type, quoted: "EVERY WEEK"
    r"\b[a-z_]+\.[a-z_]+\b",                                  # a dotted key: trial.start_date
    r"[\w\u4e00-\u9fff]+![A-Z]+\d+",                              # a cell: Visits!M152, 访视计划!Q142
]
_ALLOWED_RE = re.compile("|".join(f"(?:{p})" for p in _ALLOWED_PATTERNS))

#: Words allowed as they are: codes and standards' names, the placeholders a usage line names
#: (STUDY, FILE), the values a user types on the command line or in a CSV (choices), the
#: commands, the CSV files' column names and study.toml's keys (typed as they are).
ALLOWED_WORDS = frozenset(["SDTM", "XPT", "SAS", "ASCII", "CSV", "JSON", "USDM", "CDISC", "CalDAV", "HTTP", "HTTPS", "TLS", "UTF", "BOM", "PDF", "HTML", "ISO", "API", "ID", "IANA", "SLE", "IIM", "EOT", "SV", "DM", "EX", "DS", "DV", "SE", "TA", "TE", "TI", "TS", "TV", "DTSTART", "SUMMARY", "SEQUENCE", "QW", "BIW", "Excel", "WPS", "LibreOffice", "Radicale", "Authorization", "Bearer", "TOKEN", "sudo", "apt", "install", "STUDY", "SUBJECT", "VISIT", "ACTION", "DATE", "DATETIME", "FILE", "DIR", "NAME", "TEXT", "REASON", "REGIMEN", "ID", "SECONDS", "COMMAND", "WORKBOOK", "ZXQ", "LWJ", "TOML", "S", "PK", "B", "CD", "en", "zh", "CN", "continue", "stop", "hold", "resume", "done", "missed", "table", "csv", "json", "html", "xpt", "both", "plan", "server", "one", "quarters", "none", "nurse", "investigator", "coordinator", "monitor", "site", "check", "ics", "xlsx", "import", "record", "decide", "usdm", "sdtm", "due", "handout", "publish", "feed", "audit", "users", "serve", "verify", "show", "add", "list", "token", "disable", "password", "next", "slot", "regimen", "weeks", "until", "status", "visit", "action", "note", "investigator", "rationale", "cohort", "calendar", "language", "name", "protocol", "reminders", "timezone",
    # study.toml's and the protocol's keys and values, typed as they are
    "true", "false", "closed", "open", "consent", "treatment", "withdrawal", "country", "amount",
    "unit", "holidays", "head", "NUL", "x"])


def english_words(text: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """The runs of Latin letters left in ``text`` once the allowed tokens are removed.

    >>> english_words("错误：record：未知受试者：'099'（请使用 subjects.csv 中的 001）")
    []
    >>> english_words("错误：--done：no such date '2026-13-01'")
    ['no', 'such', 'date']
    """
    for token in allowed:
        text = text.replace(token, " ")
    text = _ALLOWED_RE.sub(" ", text)
    return [w for w in re.findall(r"[A-Za-z]+", text) if w not in ALLOWED_WORDS]
