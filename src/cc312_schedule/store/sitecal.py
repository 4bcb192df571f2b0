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
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ..core.errors import ScheduleError, StudyFileError
from ..core.fileio import write_atomic
from ..core.messages import Text
from ..core.opendays import WEEKDAYS, CalendarConfig, ShiftPreference, SiteCalendar
from .csvfile import CsvRows

__all__ = [
    "WEEKDAYS",
    "CalendarConfig",
    "ShiftPreference",
    "SiteCalendar",
    "load_site_calendar",
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
        closed.update(table["closed"])
        open_days.update({d: Text.of("open.workday") for d in table["open"]})
        provisional = set(table["provisional"])
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
    """``{"closed": {date: name}, "open": {date: reason}, "provisional": [year], "source": str}``.

    Raises ``LookupError("country")`` or ``LookupError("subdiv")`` for codes holidays lacks.
    """
    import json

    release = _holidays_release()
    folder = _cache_dir()
    key = json.dumps([release, country, subdivision, years.start, years.stop, language])
    path = None
    if release is not None and folder is not None:
        import hashlib

        path = folder / f"holidays-{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw["key"] == key:
                return {"closed": {date.fromisoformat(d): n for d, n in raw["closed"].items()},
                        "open": {date.fromisoformat(d): n for d, n in raw["open"].items()},
                        "provisional": raw["provisional"], "source": raw["source"]}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # no cache yet, or an unreadable one: compute
    table = _compute_public_holidays(country, subdivision, years, language)
    if path is not None:

        doc = {"key": key, "source": table["source"], "provisional": table["provisional"],
               "closed": {d.isoformat(): n for d, n in sorted(table["closed"].items())},
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
    opened = {d: "adjusted working day (official make-up day)"
              for d in getattr(hol, "weekend_workdays", ())}
    # Countries whose holidays follow a yearly official notice (China) list the years they know
    # in special_public_holidays; later years are the package's estimate.
    known = getattr(hol, "special_public_holidays", None) or {}
    provisional = sorted(y for y in years if known and y > max(known))
    return {"closed": {d: str(name) for d, name in hol.items()}, "open": opened,
            "provisional": provisional,
            "source": f"holidays {getattr(holidays, '__version__', '?')} {country}"}


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
