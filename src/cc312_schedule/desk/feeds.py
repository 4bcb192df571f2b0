"""``/feeds/<token>.ics``: the subscription calendars, served by the desk without a login.

The token is the key (as the ``feed`` command's file names are): 256 random bits from
:func:`secrets.token_urlsafe`, kept in ``STUDY/.cc312-feed-tokens.json`` and compared in
constant time (:func:`~cc312_schedule.calendars.feed.subject_of_token`). A rotated token is no
longer in the file, so its old address answers 404 at once. The calendar is the ``feed``
command's, built for each request from the plan (the same events, UIDs and SEQUENCEs: the
calendar state is saved, under the study's lock, when an event changed).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort

from ..calendars.feed import SITE, feed_tokens, subject_of_token
from ..calendars.ics import load_ics_state, plan_calendars, state_path_of, write_ics_state
from ..entries.writes import study_lock
from .context import desk

__all__ = ["bp"]

bp = Blueprint("feeds", __name__)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43,128}")


@bp.route("/feeds/<token>.ics")
def feed(token: str) -> Any:
    if not _TOKEN.fullmatch(token):
        abort(404)
    d = desk()
    who = subject_of_token(feed_tokens(d.folder), token)
    if who is None:
        abort(404)
    now = d.today()
    study, plan = d.cache.planned(None, as_of=now)  # as the `feed` command: nothing overdue
    if who != SITE and who not in {s.subject_id for s in study.subjects}:
        abort(404)  # a subject removed from subjects.csv
    with study_lock(d.folder):
        spath = state_path_of(study)
        state = load_ics_state(spath)
        export = plan_calendars(study, plan, generated_at=datetime.now(UTC), state=state,
                                subject_ids=None if who == SITE else [who],
                                refresh=study.config.feed_refresh)
        if export.state != state:
            write_ics_state(spath, export.state)
    return Response(export.calendar, mimetype="text/calendar",
                    headers={"Content-Disposition": "inline; filename=\"calendar.ics\""})
