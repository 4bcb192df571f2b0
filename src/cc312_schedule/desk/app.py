"""The desk's Flask application: configuration, login, CSRF, security headers, language.

:func:`create_app` builds one application for one study folder. Sessions are rows of the
study's desk database (:mod:`cc312_schedule.store.sessions`): Flask-Login's user loader finds
the row of the random session id that Flask's signed cookie carries (Flask-Login's
"alternative tokens"), so logging out, disabling a user, a new password and the idle timeout
end a session on the server, whatever the browser keeps; the cookie's signature carries its
time too (``itsdangerous``), and one older than ``idle_minutes`` is refused as well. The login
is Flask-Login's; every POST from a session is checked by Flask-WTF's ``CSRFProtect``; passwords
are checked by the users database (Argon2id, :mod:`cc312_schedule.store.users`). Nothing of that
is written here: this module configures the framework and adds the headers.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, redirect, request, session, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from . import api, feeds, pages, users_pages
from .auth import DeskUser, Right
from .context import Desk, DeskConfig, desk, language, t

__all__ = ["DeskConfig", "create_app"]

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

#: Routes anyone may reach without logging in (the feed's secret is its own key).
PUBLIC_ENDPOINTS = frozenset({"pages.login", "static", "api.healthz", "api.openapi", "feeds.feed"})

#: Content-Security-Policy: nothing inline runs, nothing from elsewhere loads, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(config: DeskConfig) -> Flask:
    """The WSGI application of the desk for ``config.folder``."""
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=str(STATIC),
                static_url_path="/static")
    app.config.update(
        SECRET_KEY=config.secret_key or secrets.token_bytes(32),
        SESSION_COOKIE_NAME="cc312_desk",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=config.behind_tls,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=config.idle_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,  # the idle timeout restarts at every request
        REMEMBER_COOKIE_DURATION=timedelta(seconds=0),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session (idle timeout)
        WTF_CSRF_SSL_STRICT=config.behind_tls,
        MAX_CONTENT_LENGTH=config.max_upload_mb * 1024 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
        JSON_SORT_KEYS=False,
    )
    app.jinja_env.autoescape = True  # every template, whatever its file name (.j2)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    if config.behind_tls:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.extensions["cc312_desk"] = Desk(config)

    login = LoginManager(app)
    login.session_protection = "strong"
    login.login_view = "pages.login"

    @login.user_loader  # type: ignore[untyped-decorator]  # flask_login ships no type hints
    def load_user(session_id: str) -> DeskUser | None:
        return desk().session_user(session_id)

    csrf = CSRFProtect(app)
    csrf.exempt(api.bp)  # the API checks CSRF itself for session calls (Bearer calls need none)
    csrf.exempt(feeds.bp)  # GET only
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(users_pages.bp)
    app.extensions["cc312_csrf"] = csrf

    app.before_request(_before)
    app.after_request(_headers)
    app.context_processor(_template_context)
    app.errorhandler(CSRFError)(pages.csrf_error)
    app.errorhandler(403)(pages.forbidden)
    app.errorhandler(404)(pages.not_found)
    app.errorhandler(413)(pages.too_large)
    return app


def _before() -> Response | None:
    """Every route but the public ones needs a login (the API answers 401 itself)."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.blueprint == "api":
        return None  # Bearer token or session: checked in api._authenticate
    if not current_user.is_authenticated:
        return redirect(url_for("pages.login"))  # type: ignore[return-value]
    session.permanent = True
    return None


def _headers(response: Response) -> Response:
    if current_user.is_authenticated:  # for the request log's line (serve.RequestLog)
        request.environ["cc312.user"] = current_user.name
    h = response.headers
    h["Content-Security-Policy"] = CSP
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "no-referrer"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        h["Cache-Control"] = "no-store"  # pages and API answers hold study data
        h["Pragma"] = "no-cache"
    if desk().config.behind_tls:
        h["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _template_context() -> dict[str, Callable[..., Any] | Any]:
    lang = language()
    return {"t": t, "lang": lang, "other_lang": "en" if lang == "zh-CN" else "zh-CN",
            "user": current_user, "Right": Right}
