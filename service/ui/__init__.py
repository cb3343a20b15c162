"""The moderators' web page at ``/review/``: Arabic first (right to left), French and English.

Server-rendered pages; a little JavaScript (``static/review.js``, no CDN, no framework) reads and
acts through the same JSON review API as every other client, authenticated by the session cookie
and a CSRF token (see :mod:`service.auth`). Sessions live in Redis; signing out ends them.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..api import page
from ..auth import SESSION_COOKIE, authenticate, session_for
from ..config import Config
from ..errors import Unauthorized
from ..names import MAX_NAME_CHARS, BadName, clean_name
from ..store import get_store
from ..store.sessions import Session
from .strings import DEFAULT_LANGUAGE, LANGUAGES, REMOVE_CODES, table

bp = Blueprint("ui", __name__, url_prefix="/review", template_folder="templates", static_folder="static")
SIGNIN_COOKIE = "raqib_signin"  # double-submit token of the sign-in form
LANGUAGE_COOKIE = "raqib_lang"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _config() -> Config:
    config: Config = current_app.config["RAQIB"]
    return config


def _language() -> str:
    wanted = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE) or ""
    return wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE


def _session() -> Session | None:
    session_id = request.cookies.get(SESSION_COOKIE)
    return session_for(session_id, _config()) if session_id else None


def _page(template: str, session: Session | None, status: int = 200, **context: Any) -> Response:
    language = _language()
    body = render_template(
        template,
        lang=language,
        dir=LANGUAGES[language][1],
        languages=LANGUAGES,
        t=table(language),
        session=session,
        csrf=session.csrf if session else "",
        remove_codes=REMOVE_CODES,
        **context,
    )
    response = Response(body, status=status, mimetype="text/html")
    if "lang" in request.args and request.args["lang"] in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86_400, samesite="Lax")
    return response


def _signed_in(template: str, **context: Any) -> BaseResponse:
    session = _session()
    if session is None:
        return redirect(url_for("ui.signin", lang=request.args.get("lang")))
    return _page(template, session, **context)


@bp.after_request
def security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@page(200, 302)
def home() -> BaseResponse:
    return redirect(url_for("ui.queue"))


@bp.get("/signin")
@page(200)
def signin() -> Response:
    return _signin_form()


def _signin_form(failed: bool = False, bad_name: bool = False) -> Response:
    token = secrets.token_urlsafe(24)
    status = 422 if bad_name else 401 if failed else 200
    response = _page(
        "signin.html",
        None,
        status=status,
        signin_token=token,
        failed=failed and not bad_name,
        bad_name=bad_name,
        name_max=MAX_NAME_CHARS,
    )
    response.set_cookie(
        SIGNIN_COOKIE, token, httponly=True, samesite="Strict", secure=_config().session_cookie_secure, path="/review"
    )
    return response


@bp.post("/signin")
@page(200, 302, 401, 422)
def signin_submit() -> BaseResponse:
    """Check the moderator's key once and open a server-side session; the key is not kept."""
    config = _config()
    sent, expected = request.form.get("signin_token", ""), request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        return _signin_form(failed=True)
    try:
        kid, role = authenticate(f"Bearer {request.form.get('key', '')}", config.keys)
    except Unauthorized:
        return _signin_form(failed=True)
    if role not in ("moderator", "admin"):
        return _signin_form(failed=True)
    try:
        name = clean_name(request.form.get("name", ""))
    except BadName:
        return _signin_form(failed=True, bad_name=True)
    session_id, _ = get_store().sessions.create(kid, role, name, config.session_idle_minutes * 60)
    response = redirect(url_for("ui.queue"))
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="Strict",
        secure=config.session_cookie_secure,
        max_age=config.session_idle_minutes * 60,
    )
    response.delete_cookie(SIGNIN_COOKIE, path="/review")
    return response


@bp.post("/signout")
@page(200, 302)
def signout() -> BaseResponse:
    session = _session()
    token = request.form.get("csrf_token", "")
    if session is not None and hmac.compare_digest(token.encode(), session.csrf.encode()):
        get_store().sessions.delete(request.cookies[SESSION_COOKIE])
    response = redirect(url_for("ui.signin"))
    response.delete_cookie(SESSION_COOKIE)
    return response


@bp.get("/queue")
@page(200, 302)
def queue() -> BaseResponse:
    return _signed_in("queue.html", page="queue")


@bp.get("/items/<item_id>")
@page(200, 302)
def item(item_id: str) -> BaseResponse:
    return _signed_in("item.html", page="item", item_id=item_id, blur_images=_config().ui_blur_images)


@bp.get("/stats")
@page(200, 302)
def stats() -> BaseResponse:
    return _signed_in("stats.html", page="stats")


@bp.get("/transparency")
@page(200, 302)
def transparency() -> BaseResponse:
    """The transparency report's tab (admin sessions; the figures come from
    ``GET /v1/transparency/report``): the last 30 days unless the form names a period."""
    today = datetime.now(UTC).date()
    return _signed_in(
        "transparency.html",
        page="transparency",
        period_from=(today - timedelta(days=30)).isoformat(),
        period_to=(today + timedelta(days=1)).isoformat(),
    )


def init_app(app: Any) -> None:
    app.register_blueprint(bp)
