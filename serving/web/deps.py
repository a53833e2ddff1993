"""The reviewer pages' dependencies: their context, the logged-in reviewer and CSRF checks."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import urlencode

import jinja2
from fastapi import Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from serving.api.auth import LockedOutError, verify_throttled
from serving.api.deps import Services, client_address
from serving.db.reviewer_store import ReviewerStore
from serving.db.spent_tokens import SpentTokens
from serving.web.session import LOGIN_MAX_AGE, SESSION_COOKIE, SessionCodec, WebSession

PREFIX: Final[str] = "/reviewer"
WEB_ROLES: Final[frozenset[str]] = frozenset({"reviewer", "admin"})
TEMPLATES_DIR: Final[Path] = Path(__file__).resolve().parent / "templates"
STATIC_DIR: Final[Path] = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
_LOCK = threading.Lock()


class LoginRequiredError(Exception):
    """No valid session: the browser is sent to the login page (then back to ``next_path``)."""

    def __init__(self, next_path: str) -> None:
        super().__init__("login required")
        self.next_path = next_path


class WebForbiddenError(Exception):
    """The key's role may not use the reviewer pages, or a form's CSRF token was wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class WebContext:
    """What the pages use: the app's services, the cookie codec, templates, reviewer queries."""

    services: Services
    codec: SessionCodec
    env: jinja2.Environment
    store: ReviewerStore
    tokens: SpentTokens

    def spend(self, token: str, kind: str) -> bool:
        """Use a single-use token (a form's CSRF token, a signed-out session) once.

        It is kept until it would have expired anyway: a sign-in form's for an hour, the
        others for a session's length.
        """
        seconds = LOGIN_MAX_AGE if kind == "login" else self.codec.max_age
        return self.tokens.spend(f"{kind}:{token}", kind, timedelta(seconds=seconds))

    def end_session(self, session: WebSession) -> None:
        """End a session on the server: its cookie is refused from now on, even if copied."""
        self.spend(session.sid, "session")

    def render(self, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
        """Render a template into an HTML response with the pages' security headers."""
        html = self.env.get_template(name).render(prefix=PREFIX, **context)
        return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def make_env() -> jinja2.Environment:
    """Return the Jinja environment (autoescaping everything, undefined names are errors)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def get_web(request: Request) -> WebContext:
    """Return the app's web context, built on first use from the app's services."""
    state = request.app.state
    web: WebContext | None = getattr(state, "web", None)
    services: Services = state.services
    if web is None or web.services is not services:
        with _LOCK:
            web = WebContext(
                services,
                SessionCodec(services.settings),
                make_env(),
                ReviewerStore(services.store.engine),
                SpentTokens(services.store.engine),
            )
            state.web = web
    return web


WebDep = Annotated[WebContext, Depends(get_web)]


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def login_url(next_path: str) -> str:
    """Return the login page's URL, coming back to ``next_path`` afterwards."""
    return f"{PREFIX}/login?{urlencode({'next': next_path})}"


def _from_session(request: Request, web: WebContext) -> WebSession | None:
    session = web.codec.load(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    record = web.services.store.find_key(session.key_id)  # a revoked key ends its sessions
    if record is None or record.revoked or web.tokens.is_spent(f"session:{session.sid}"):
        return None
    return session


def _from_header(request: Request, web: WebContext) -> WebSession | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    services = web.services
    try:
        caller = verify_throttled(
            services.verifier, services.throttle, token.strip(), client_address(request)
        )
    except LockedOutError:
        return None
    # a header-only caller can read pages but has no CSRF token, so it can never post a form
    return None if caller is None else WebSession(caller.key_id, caller.role, "")


def current_reviewer(request: Request, web: WebDep) -> WebSession:
    """Return the logged-in reviewer (or admin); redirect to login, or 403 for other roles."""
    session = _from_session(request, web) or _from_header(request, web)
    if session is None:
        raise LoginRequiredError(_here(request))
    request.state.key_id = session.key_id
    if session.role not in WEB_ROLES:
        raise WebForbiddenError(
            f"This key's role ({session.role}) may not use the reviewer pages; they need a "
            "reviewer or admin key."
        )
    return session


Reviewer = Annotated[WebSession, Depends(current_reviewer)]


def check_csrf(web: WebContext, session: WebSession, token: str | None) -> None:
    """Refuse a form whose CSRF token is missing, not this session's, or already used."""
    if not web.codec.form_token_ok(session, token) or not web.spend(str(token), "form"):
        raise WebForbiddenError(
            "This form could not be accepted: its security token is missing or out of date. "
            "Reload the page and submit it again."
        )


def current_session_or_none(request: Request, web: WebContext) -> WebSession | None:
    """Return the signed-in reviewer's session for page chrome, or None (never raises)."""
    session = _from_session(request, web)
    return session if session is not None and session.role in WEB_ROLES else None


async def session_gate(request: Request) -> Response | None:
    """Let a form post from a signed-in reviewer through (None); else send it to sign in.

    Runs before the body is read (:mod:`serving.api.limits`), so no form is parsed for a
    caller without a session.
    """
    web = get_web(request)
    if _from_session(request, web) or _from_header(request, web):
        return None
    return RedirectResponse(login_url(f"{PREFIX}/queue"), 303)
