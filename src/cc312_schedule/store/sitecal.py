"""The site calendar's sources: the public holidays (from the ``holidays`` package, cached) and
the site's own ``closed-days.csv``, combined into a :class:`~cc312_schedule.core.opendays.SiteCalendar`.

:func:`load_site_calendar` reads files and asks the ``holidays`` package, and it imports
``holidays`` only when called (or not at all, once the table is cached).

Closed days come from three sources, each with a reason:

* the weekend (``weekend`` in ``study.toml [calendar]``, default Saturday and Sunday);
* the public holidays of the site's country (``country``, default ``CN``) from ``holidays``,
  including China's official adjusted working days, when a weekend day becomes a working day
  (2026-02-14, a Saturday, is a working day: the Spring Festival's make-up day);
* the site's own file ``closed-days.csv`` (``date,status,reason``; ``status`` closed or open).

An open day in the site file wins over everything; then a holiday; then an adjusted working
day; then the weekend.

China's public holidays are named as the State Council's yearly notice names them (review H2,
C15): one label for the whole break, every day of it (weekend days and the package's observed
days and swapped days off included), 国庆节假期 / National Day holiday, never the package's
国庆节（补假） or 休息日（由 2026-09-20 调休）; in a year without an official notice yet the label
says the dates are estimated (春节假期（预估）). See :func:`name_breaks`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from ..core.errors import ScheduleError, StudyFileError
from ..core.fileio import write_atomic
from ..core.messages import Text
from ..core.opendays import WEEKDAYS, CalendarConfig, ShiftPreference, SiteCalendar
from .csvfile import CsvRows

__all__ = [
    "HOLIDAY_IDS",
    "WEEKDAYS",
    "CalendarConfig",
    "ShiftPreference",
    "SiteCalendar",
    "load_site_calendar",
    "name_breaks",
    "parse_calendar_config",
]

CLOSED_DAYS_FILE = "closed-days.csv"


# --------------------------------------------------------------------------------------
# Loading


def parse_calendar_config(raw: Any, path: Path, errors: list[ScheduleError]) -> CalendarConfig:
    """Read ``study.toml [calendar]``; record errors naming ``calendar.<key>``."""
    if raw is None:
        return CalendarConfig()
    if not isinstance(raw, dict):
        errors.append(StudyFileError("must be a table", path=path, key="calendar", value=raw,
                                     hint="write [calendar] on a line of its own"))
        return CalendarConfig()

    def err(key: str, message: str, value: object, hint: str) -> None:
        errors.append(StudyFileError(message, path=path, key=f"calendar.{key}", value=value,
                                     hint=hint))

    known = {"enabled", "country", "subdivision", "weekend", "prefer", "max_dosing_per_day"}
    for k in raw:
        if k not in known:
            err(k, "unknown key", raw[k], f"known keys: {', '.join(sorted(known))}")
    cfg: dict[str, Any] = {}
    if "enabled" in raw:
        if isinstance(raw["enabled"], bool):
            cfg["enabled"] = raw["enabled"]
        else:
            err("enabled", "must be true or false", raw["enabled"], "e.g. enabled = false")
    for k in ("country", "subdivision"):
        if k in raw:
            if isinstance(raw[k], str):
                cfg[k] = raw[k].strip()
            else:
                err(k, "must be a string", raw[k], 'e.g. country = "CN"')
    if "weekend" in raw:
        w = raw["weekend"]
        if isinstance(w, list) and all(isinstance(x, str) and x[:3].title() in WEEKDAYS for x in w):
            cfg["weekend"] = tuple(sorted({WEEKDAYS.index(x[:3].title()) for x in w}))
        else:
            err("weekend", "must be a list of weekday names", w, 'e.g. weekend = ["Sat", "Sun"]')
    if "prefer" in raw:
        try:
            cfg["prefer"] = ShiftPreference(raw["prefer"])
        except ValueError:
            err("prefer", "unknown preference", raw["prefer"], 'use "earlier" or "later"')
    if "max_dosing_per_day" in raw:
        n = raw["max_dosing_per_day"]
        if isinstance(n, int) and not isinstance(n, bool) and n >= 1:
            cfg["max_dosing_per_day"] = n
        else:
            err("max_dosing_per_day", "must be a whole number >= 1", n,
                "the number of infusion chairs; leave the key out for no limit")
    return CalendarConfig(**cfg)


def load_site_calendar(folder: str | Path, config: CalendarConfig, years: range,
                       errors: list[ScheduleError], *, language: str = "en") -> SiteCalendar:
    """Build the calendar for ``years`` from the holidays package and ``closed-days.csv``.

    Holiday names are asked in the study's ``language`` (``en`` or ``zh-CN``), never left to
    the machine's locale: the same study gives the same names on every machine.
    """
    if not config.enabled:
        return SiteCalendar(weekend=(), prefer=config.prefer,
                            max_dosing_per_day=config.max_dosing_per_day, source="disabled")
    closed: dict[date, str | Text] = {}
    open_days: dict[date, str | Text] = {}
    provisional: set[int] = set()
    source = "weekend"
    if config.country:
        try:
            table = _public_holidays(config.country, config.subdivision, years, language)
        except LookupError as exc:
            key = "calendar.subdivision" if config.subdivision and exc.args[0] == "subdiv" \
                else "calendar.country"
            value = config.subdivision if key == "calendar.subdivision" else config.country
            errors.append(StudyFileError(
                "not known to the holidays package", key=key, value=value,
                path=Path(folder) / "study.toml",
                hint='use an ISO 3166 code such as "CN" (and a subdivision it lists), '
                     'or country = "" for none'))
            return SiteCalendar()
        provisional = set(table["provisional"])
        closed.update(name_breaks(
            {d: en for d, (en, _) in table["closed"].items()},
            {d: local for d, (_, local) in table["closed"].items()},
            HOLIDAY_IDS.get(config.country.upper(), {}), weekend=config.weekend,
            open_days=table["open"], estimated_years=provisional))
        open_days.update({d: Text.of("open.workday") for d in table["open"]})
        source = table["source"]
    _read_site_file(Path(folder) / CLOSED_DAYS_FILE, closed, open_days, errors)
    return SiteCalendar(closed=closed, open_days=open_days, weekend=config.weekend,
                        prefer=config.prefer, max_dosing_per_day=config.max_dosing_per_day,
                        provisional_years=frozenset(provisional), source=source)


# ---- the public-holiday table, cached ------------------------------------------------------
# Importing `holidays` and asking it for one country costs ~90 ms on every run (it loads all
# its country modules). The table it gives depends only on the installed holidays release, the
# country, the subdivision, the years and the language of the names (asked explicitly: left to
# holidays, it follows the process locale), so it is cached under that key, in
# $CC312_SCHEDULE_CACHE_DIR, else the platform's user cache folder (platformdirs: on Linux
# $XDG_CACHE_HOME/cc312-schedule or ~/.cache/cc312-schedule); CC312_SCHEDULE_CACHE_DIR=off
# disables the cache. A new holidays release (its version, importlib.metadata) is a new key.
# A cache that cannot be read or written is ignored: the table is computed as without it.

def _cache_dir() -> Path | None:
    import os

    where = os.environ.get("CC312_SCHEDULE_CACHE_DIR")
    if where == "off":
        return None
    if where:
        return Path(where)
    from platformdirs import user_cache_path

    return user_cache_path("cc312-schedule", appauthor=False)


def _holidays_release() -> str | None:
    """The installed holidays release (without importing holidays); None: not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:
        return None


#: study language -> the holidays package's language code (asked for whenever a country has it)
_HOLIDAY_LANGUAGES = {"en": "en_US", "zh-CN": "zh_CN"}


def _public_holidays(country: str, subdivision: str, years: range,
                     language: str = "en") -> dict[str, Any]:
    """``{"closed": {date: (English name, name in language)}, "open": {date: reason},
    "provisional": [year], "source": str}``.

    Raises ``LookupError("country")`` or ``LookupError("subdiv")`` for codes holidays lacks.
    """
    import json

    release = _holidays_release()
    folder = _cache_dir()
    # "names-2": each closed day's name in English (the key of HOLIDAY_IDS) and in `language`
    key = json.dumps(["names-2", release, country, subdivision, years.start, years.stop, language])
    path = None
    if release is not None and folder is not None:
        import hashlib

        path = folder / f"holidays-{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw["key"] == key:
                return {"closed": {date.fromisoformat(d): (str(en), str(local))
                                   for d, (en, local) in raw["closed"].items()},
                        "open": {date.fromisoformat(d): n for d, n in raw["open"].items()},
                        "provisional": raw["provisional"], "source": raw["source"]}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # no cache yet, or an unreadable one: compute
    table = _compute_public_holidays(country, subdivision, years, language)
    if path is not None:

        doc = {"key": key, "source": table["source"], "provisional": table["provisional"],
               "closed": {d.isoformat(): list(n) for d, n in sorted(table["closed"].items())},
               "open": {d.isoformat(): n for d, n in sorted(table["open"].items())}}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=0))
        except OSError:
            pass  # a read-only home: no cache, same result
    return table


def _compute_public_holidays(country: str, subdivision: str, years: range,
                             language: str = "en") -> dict[str, Any]:
    import holidays

    kw: dict[str, Any] = {"years": list(years)}
    if subdivision:
        kw["subdiv"] = subdivision
    try:
        supported = holidays.country_holidays(country, **kw).supported_languages
    except NotImplementedError as exc:
        raise LookupError("subdiv" if "subdiv" in str(exc).lower() else "country") from None
    # the study's language if the country has it, else English if it has that, else the
    # country's own: always named, so the machine's locale never decides
    wanted = _HOLIDAY_LANGUAGES.get(language, "en_US")
    for code in (wanted, "en_US"):
        if code in supported:
            kw["language"] = code
            break
    else:
        kw["language"] = holidays.country_holidays(country, **kw).default_language
    hol = holidays.country_holidays(country, **kw)
    # the English names too: the key of HOLIDAY_IDS, whatever the study's language
    english = (hol if kw["language"] == "en_US" or "en_US" not in supported
               else holidays.country_holidays(country, **{**kw, "language": "en_US"}))
    opened = {d: "adjusted working day (official make-up day)"
              for d in getattr(hol, "weekend_workdays", ())}
    # Countries whose holidays follow a yearly official notice (China) list the years they know
    # in special_public_holidays; later years are the package's estimate.
    known = getattr(hol, "special_public_holidays", None) or {}
    provisional = sorted(y for y in years if known and y > max(known))
    return {"closed": {d: (str(english.get(d, name)), str(name)) for d, name in hol.items()},
            "open": opened,
            "provisional": provisional,
            "source": f"holidays {getattr(holidays, '__version__', '?')} {country}"}


# ---- holiday names: one label per break (review H2, H4, C15) --------------------------------

#: The holidays package's English names -> the catalogue's ``holiday.<id>`` (its text in every
#: language is in core/messages.py): China's seven public holidays as the State Council's yearly
#: notice (国务院办公厅关于……部分节假日安排的通知) names them. Asked in English whatever the
#: study's language, so the key never depends on the package's translations. A name not listed
#: (another country; a holiday a new package release adds) is shown as the package gives it, in
#: the study's language.
HOLIDAY_IDS: Final[Mapping[str, Mapping[str, str]]] = {
    "CN": {
        "New Year's Day": "new_year",  # 元旦
        "Chinese New Year's Eve": "spring_festival",  # 除夕: the notice counts it in 春节
        "Chinese New Year (Spring Festival)": "spring_festival",  # 春节
        "Tomb-Sweeping Day": "qingming",  # 清明节
        "Labor Day": "labour_day",  # 劳动节
        "Dragon Boat Festival": "dragon_boat",  # 端午节
        "Mid-Autumn Festival": "mid_autumn",  # 中秋节
        "National Day": "national_day",  # 国庆节
    },
}
#: The package's name of a holiday moved off a weekend ("National Day (observed)", 国庆节（补假）)
#: and of a day off swapped for a weekend working day ("Day off (substituted from 09/20/2026)",
#: 休息日（由 2026-09-20 调休））: both are days of the break around them (the notice's 放假调休).
_OBSERVED: Final = " (observed)"
_DAY_OFF: Final = re.compile(r"Day off \(substituted from [^()]*\)")


def name_breaks(english: Mapping[date, str], local: Mapping[date, str],
                ids: Mapping[str, str], *, weekend: tuple[int, ...],
                open_days: Collection[date],
                estimated_years: Collection[int] = ()) -> dict[date, str | Text]:
    """The closed days of the public holidays, each with the label staff see.

    A **break** is a run of consecutive days each a public holiday or a weekend day that is not
    an official working day; every day of a break that holds a holiday of ``ids`` — the
    holidays themselves, their observed days, the swapped days off and the weekend days among
    them — is named after the break: ``holiday.break`` over the holidays in it (国庆节假期; two
    holidays in one break, as 2025's 10-01…10-08: 国庆节、中秋节假期). A weekend is part of a
    break only when it touches a holiday (the notice's 6月19日至21日 for a Friday 端午). A
    holiday not in ``ids`` keeps the package's name in the study's language (``local``), and a
    break without one of ``ids`` is left as the package names it (its weekend days stay the
    weekend). In ``estimated_years`` every label says so (``holiday.estimated``).

    >>> D = date.fromisoformat
    >>> en = {D("2026-10-01"): "National Day", D("2026-10-02"): "National Day",
    ...       D("2026-10-03"): "National Day", D("2026-10-05"): "National Day (observed)",
    ...       D("2026-10-06"): "Day off (substituted from 09/20/2026)",
    ...       D("2026-10-07"): "Day off (substituted from 10/10/2026)"}
    >>> named = name_breaks(en, en, HOLIDAY_IDS["CN"], weekend=(5, 6),
    ...                     open_days={D("2026-09-20"), D("2026-10-10")})
    >>> sorted({d.day for d in named}), {t.render("zh-CN") for t in named.values()}
    ([1, 2, 3, 4, 5, 6, 7], {'国庆节假期'})
    >>> str(named[D("2026-10-04")])   # the Sunday inside the break
    'National Day holiday'
    >>> name_breaks({D("2027-02-09"): "Chinese New Year (Spring Festival) (observed)"}, {},
    ...             HOLIDAY_IDS["CN"], weekend=(5, 6), open_days=(),
    ...             estimated_years={2027})[D("2027-02-09")].render("zh-CN")
    '春节假期（预估）'
    """
    def closed(d: date) -> bool:
        return d in english or (d.weekday() in weekend and d not in open_days)

    def holiday_id(d: date) -> str | None:
        return ids.get(english[d].removesuffix(_OBSERVED)) if d in english else None

    out: dict[date, str | Text] = {}
    seen: set[date] = set()
    for first in sorted(english):
        if first in seen:
            continue
        start = end = first
        while closed(start - timedelta(days=1)) and (first - start).days < 366:
            start -= timedelta(days=1)
        while closed(end + timedelta(days=1)) and (end - first).days < 366:
            end += timedelta(days=1)
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        seen.update(days)
        found = list(dict.fromkeys(h for h in map(holiday_id, days) if h is not None))
        label: Text | None = None
        if found:
            names: list[Text] = []
            for h in found:
                names += [Text.of("holiday.and"), Text.of(f"holiday.{h}")] if names \
                    else [Text.of(f"holiday.{h}")]
            label = Text.of("holiday.break", name=names[0] if len(names) == 1 else tuple(names))
        for d in days:
            name: str | Text
            if label is not None and (holiday_id(d) is not None or d not in english
                                      or _DAY_OFF.fullmatch(english[d])):
                name = label
            elif d in english:
                name = local.get(d, english[d])
            else:
                continue  # a weekend day of a break the catalogue does not name: the weekend
            out[d] = Text.of("holiday.estimated", name=name) if d.year in estimated_years \
                else name
    return out


def _read_site_file(path: Path, closed: dict[date, str | Text], open_days: dict[date, str | Text],
                    errors: list[ScheduleError]) -> None:
    if not path.exists():
        return
    rows = CsvRows(path, ("date", "status", "reason"), (), errors, extra_allowed=False,
                   plain=("reason",))
    seen: dict[date, int] = {}
    for line, row in rows:
        day = rows.date(line, row, "date", required=True)
        status = row["status"].lower()
        if status not in ("closed", "open"):
            rows.error(line, "status", "unknown status", row["status"], hint="use closed or open")
            continue
        if not row["reason"]:
            rows.error(line, "reason", "missing reason",
                       hint="say why, e.g. 'pharmacy inventory' or 'weekend clinic'")
            continue
        if day is None:
            continue
        if day in seen:
            rows.error(line, "date", f"listed twice (first on line {seen[day]})", str(day),
                       hint="keep one row per date")
            continue
        seen[day] = line
        if status == "closed":
            closed[day] = Text.of("closed.site", reason=row["reason"])
            open_days.pop(day, None)
        else:
            open_days[day] = Text.of("open.site", reason=row["reason"])
            closed.pop(day, None)
