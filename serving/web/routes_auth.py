"""Sign in with an API key, sign out, and the redirects into the reviewer pages."""

from __future__ import annotations

import logging
from typing import Annotated, Final

from fastapi import APIRouter, Form, Query, Request, status
from starlette.responses import HTMLResponse, RedirectResponse, Response

from serving.web.deps import PREFIX, WEB_ROLES, Reviewer, WebContext, WebDep, check_csrf
from serving.web.session import LOGIN_COOKIE, SESSION_COOKIE

router = APIRouter(include_in_schema=False)
log = logging.getLogger("serving.web")
HOME: Final[str] = f"{PREFIX}/queue"
FormStr = Annotated[str, Form(max_length=500)]


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a reviewer page here, else the queue (no open redirect)."""
    if (
        not target
        or not target.startswith(PREFIX + "/")
        or "//" in target
        or "\\" in target
        or target.startswith(f"{PREFIX}/login")
        or len(target) > 300
    ):
        return HOME
    return target


def _login_form(web: WebContext, next_path: str, error: str | None, code: int) -> HTMLResponse:
    token, signed = web.codec.new_login_token()
    context = {"csrf": token, "next": safe_next(next_path), "error": error, "session": None}
    response = web.render("login.html", context, code)
    web.codec.set_login(response, signed)
    return response


@router.get("/")
def root() -> RedirectResponse:
    """Send a browser at the site root to the reviewer queue."""
    return RedirectResponse(HOME, status.HTTP_303_SEE_OTHER)


@router.get(PREFIX)
@router.get(PREFIX + "/")
def reviewer_home() -> RedirectResponse:
    """Send the reviewer home to the queue."""
    return RedirectResponse(HOME, status.HTTP_303_SEE_OTHER)


@router.get(PREFIX + "/login")
def login_page(web: WebDep, next: Annotated[str, Query(max_length=300)] = "") -> HTMLResponse:
    """Show the sign-in form (with a fresh CSRF token)."""
    return _login_form(web, next, None, status.HTTP_200_OK)


@router.post(PREFIX + "/login")
def login(
    request: Request,
    web: WebDep,
    api_key: FormStr = "",
    csrf_token: FormStr = "",
    next: FormStr = "",
) -> Response:
    """Check the key; a reviewer or admin gets a signed session cookie (never the key itself)."""
    if not web.codec.login_token_ok(request.cookies.get(LOGIN_COOKIE), csrf_token):
        msg = "The sign-in form had expired or did not come from this site. Please try again."
        return _login_form(web, next, msg, status.HTTP_403_FORBIDDEN)
    caller = web.services.verifier.verify(api_key.strip()) if api_key.strip() else None
    if caller is None:
        log.info("reviewer sign-in refused: unknown, malformed or revoked key")
        msg = "That key was not recognised, or it has been revoked."
        return _login_form(web, next, msg, status.HTTP_401_UNAUTHORIZED)
    if caller.role not in WEB_ROLES:
        log.info("reviewer sign-in refused: key_id=%s role=%s", caller.key_id, caller.role)
        msg = f"This key's role ({caller.role}) may not use the reviewer pages."
        return _login_form(web, next, msg, status.HTTP_403_FORBIDDEN)
    session = web.codec.new_session(caller.key_id, caller.role)
    response = RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    web.codec.set_session(response, session)
    web.codec.clear(response, LOGIN_COOKIE)
    log.info("reviewer signed in key_id=%s role=%s", caller.key_id, caller.role)
    return response


@router.post(PREFIX + "/logout")
def logout(web: WebDep, session: Reviewer, csrf_token: FormStr = "") -> Response:
    """End the session (the cookie is cleared) and go back to the sign-in page."""
    check_csrf(session, csrf_token)
    response = RedirectResponse(f"{PREFIX}/login", status.HTTP_303_SEE_OTHER)
    web.codec.clear(response, SESSION_COOKIE)
    log.info("reviewer signed out key_id=%s", session.key_id)
    return response
