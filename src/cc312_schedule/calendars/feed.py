"""Subscription feeds (``cc312-schedule feed``): the calendars under unguessable file names.

Each subject's calendar and the site calendar are written into one folder under a secret name,
``<token>.ics`` with ``token = secrets.token_urlsafe(32)`` (43 characters, 256 random bits,
never derived from the subject id), for any static web server to serve: whoever knows the
address can read the calendar, so the address is handed out like a password. The tokens are
kept in the study folder (``STUDY/.cc312-feed-tokens.json``, :data:`TOKENS_FILE`); a token is
replaced with ``--rotate SUBJECT`` (``site`` for the site calendar), and the file under the old
name is deleted, so the old address stops working.

Revocation survives an interruption: every run removes, from the output folder, every file
named like a token (``<43 or more URL-safe characters>.ics``) that is not a current token's
file, once the tokens are saved and again after the calendars are written. A rotation cut
short (a full disk, a kill, a folder that cannot be written) is finished by the next run.
A subject no longer in ``subjects.csv`` (retired with ``ics --retire``, or removed) keeps
no feed: its token is dropped and its file removed; ``--rotate`` accepts it (and revokes it).

The calendars are the ``ics`` export's (:func:`cc312_schedule.calendars.ics.write_ics`: the same events,
the same state file and SEQUENCEs), with two more calendar properties telling subscribed
clients how often to fetch them again (``feed_refresh`` in ``study.toml``, default 1 hour):
``REFRESH-INTERVAL;VALUE=DURATION`` (RFC 7986 section 5.7) and ``X-PUBLISHED-TTL`` (Outlook's).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from ..core.errors import ScheduleError, UsageError
from ..core.fileio import read_state, write_atomic
from ..core.messages import message
from ..core.model import StudyPlan
from ..store.study import Study
from .ics import write_ics

__all__ = ["SITE", "TOKENS_FILE", "FeedResult", "FeedTokenError", "feed_tokens", "issue_tokens",
           "new_token", "subject_of_token", "write_feeds"]

TOKENS_FILE: Final = ".cc312-feed-tokens.json"
#: ``--rotate site``: the site calendar's token
SITE: Final = "site"
_FORMAT: Final = "cc312-schedule feed tokens"
_VERSION: Final = 1


#: A feed file's name: a token (URL-safe base64, 43 characters or more) and ``.ics``.
_TOKEN_FILE = re.compile(r"[A-Za-z0-9_-]{43,}\.ics")


class FeedTokenError(ScheduleError):
    """The tokens file is unreadable or malformed."""


def new_token() -> str:
    """A fresh secret name: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedResult:
    """The files written: (subject id, or "site"; file name), and the names retired."""

    files: tuple[tuple[str, str], ...]
    retired: tuple[str, ...]  # old file names deleted by --rotate
    new: int
    updated: int
    cancelled: int
    unchanged: int

    def describe(self, lang: str = "en") -> str:
        """The names written, then what changed, in ``lang`` (the catalogue's ``feed.*``)."""
        lines = [f"{who}\t{name}\n" for who, name in self.files]
        retired = message(lang, "feed.retired", n=len(self.retired)) if self.retired else ""
        lines.append(message(lang, "feed.summary", n=len(self.files), new=self.new,
                             updated=self.updated, cancelled=self.cancelled,
                             unchanged=self.unchanged, retired=retired) + "\n")
        return "".join(lines)


def _load_tokens(path: Path) -> dict[str, str]:
    hint = ("restore it from a backup; deleting it gives every calendar a new address, and "
            "subscribers must then be sent the new ones")
    data = read_state(path, fmt=_FORMAT, version=_VERSION, what="feed tokens file", hint=hint,
                      error=FeedTokenError)
    if data is None:
        return {}
    try:
        tokens = {str(k): str(v) for k, v in data["tokens"].items()}
        for v in tokens.values():
            if len(v) < 43 or not all(c.isalnum() or c in "-_" for c in v):
                raise ValueError(f"not a token: {v!r}")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FeedTokenError(f"corrupt feed tokens file ({type(exc).__name__}: {exc})",
                             path=path, hint=hint) from None
    return tokens


def _tokens_bytes(tokens: dict[str, str]) -> bytes:
    data = {"format": _FORMAT, "version": _VERSION, "tokens": dict(sorted(tokens.items()))}
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def feed_tokens(folder: str | Path) -> dict[str, str]:
    """The secret names of a study's feeds: subject id (or :data:`SITE`) -> token."""
    return _load_tokens(Path(folder) / TOKENS_FILE)


def issue_tokens(folder: str | Path, ids: Collection[str], *,
                 rotate: Collection[str] = ()) -> dict[str, str]:
    """Give every id of ``ids`` without a token one, and each of ``rotate`` a new one; write
    the tokens file (atomically) when that changed anything. The caller holds the study's lock.

    The site desk serves the feeds from these tokens (``/feeds/<token>.ics``): a rotated
    token is gone from the file, so its old address answers 404 at once.
    """
    path = Path(folder) / TOKENS_FILE
    tokens = _load_tokens(path)
    old = dict(tokens)
    for who in [*ids, *rotate]:
        if who not in tokens or who in rotate:
            tokens[who] = new_token()
    if tokens != old:
        write_atomic(path, _tokens_bytes(tokens))
    return tokens


def subject_of_token(tokens: dict[str, str], token: str) -> str | None:
    """Whose feed ``token`` names (None: nobody's), compared in constant time with each."""
    found = None
    for who, known in tokens.items():
        if secrets.compare_digest(known.encode(), token.encode()):
            found = who
    return found


def write_feeds(study: Study, plan: StudyPlan, out_dir: str | Path, *, generated_at: datetime,
                rotate: Collection[str] = (), all_day: bool = False) -> FeedResult:
    """Write every calendar into ``out_dir`` under its secret name; rotate the ``rotate`` ones.

    Order: the tokens file first (so no calendar is ever served under a name that is not
    recorded), then every file under a name that is no longer a token is deleted, then the
    calendars and the calendar state (all or nothing, :func:`write_ics`), then the sweep
    again. ``retired`` lists every old name revoked by this run (rotated, or a subject gone).
    """
    folder = Path(study.folder or ".")
    path = folder / TOKENS_FILE
    tokens = _load_tokens(path)
    ids = [sp.subject_id for sp in plan]
    for who in rotate:
        if who != SITE and who not in ids and who not in tokens:
            raise UsageError("unknown subject", key="--rotate", value=who,
                             hint=f"known: {SITE}, {', '.join(ids)}")
    old = dict(tokens)
    for who in rotate:  # a subject no longer in the plan: rotating it revokes its address
        if who not in ids and who != SITE:
            del tokens[who]
    for who in [SITE, *ids]:
        if who not in tokens or who in rotate:
            tokens[who] = new_token()
    if tokens != old:
        write_atomic(path, _tokens_bytes(tokens))
    _sweep(out_dir, {f"{t}.ics" for t in tokens.values()})  # revoked even if what follows fails
    names = {sid: f"{tokens[sid]}.ics" for sid in ids}
    names[""] = f"{tokens[SITE]}.ics"
    # An empty index.html: a server that lists folders (python -m http.server, Apache) would
    # otherwise show every secret name to anyone who asks for the folder.
    index = Path(out_dir) / "index.html"
    written = write_ics(study, plan, out_dir, generated_at=generated_at, all_day=all_day,
                        refresh=study.config.feed_refresh, file_names=names)
    if not index.exists():
        write_atomic(index, "<!doctype html><title>calendars</title>\n")
    # a subject gone from subjects.csv (write_ics refused it unless retired on purpose):
    # its token is dropped and its file removed, so no feed outlives its subject
    current = {SITE, *ids}
    if any(who not in current for who in tokens):
        tokens = {who: t for who, t in tokens.items() if who in current}
        write_atomic(path, _tokens_bytes(tokens))
    _sweep(out_dir, {f"{t}.ics" for t in tokens.values()})
    retired = sorted(f"{t}.ics" for who, t in old.items() if tokens.get(who) != t)
    files = [(SITE, names[""])] + [(sid, names[sid]) for sid in ids]
    return FeedResult(files=tuple(files), retired=tuple(retired), new=written.new,
                      updated=written.updated, cancelled=written.cancelled,
                      unchanged=written.unchanged)


def _sweep(out_dir: str | Path, keep: Collection[str]) -> list[str]:
    """Remove every feed file in ``out_dir`` not named in ``keep`` (a rotated, retired or
    removed subject's old address); the names removed. Only regular files named like a token
    are touched; a file that cannot be removed now is removed by a later run."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return removed
    for entry in entries:
        if entry.name in keep or not _TOKEN_FILE.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False) or entry.is_symlink():
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed
