"""Sign in with an API key, sign out, and the redirects into the reviewer pages."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Form, Query, Request, status
from starlette.responses import HTMLResponse, RedirectResponse, Response

from serving.api.auth import LockedOutError, verify_throttled
from serving.api.deps import client_address
from serving.security import Caller
from serving.security_events import security_event
from serving.web.deps import PREFIX, WEB_ROLES, Reviewer, WebContext, WebDep, check_csrf
from serving.web.session import LOGIN_COOKIE, SESSION_COOKIE

router = APIRouter(include_in_schema=False)
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


def _checked_key(
    request: Request, web: WebContext, api_key: str, next_path: str
) -> Caller | Response:
    """Return the key's caller, or the sign-in form saying why not (unknown key, lockout)."""
    client = client_address(request)
    try:
        caller = verify_throttled(
            web.services.verifier,
            web.services.throttle,
            api_key.strip(),
            client,
            refused="sign_in_failed",
            locked="sign_in_locked_out",
        )
    except LockedOutError as exc:
        msg = f"Too many failed sign-ins. Try again in {exc.retry_after} seconds."
        form = _login_form(web, next_path, msg, status.HTTP_429_TOO_MANY_REQUESTS)
        form.headers["Retry-After"] = str(exc.retry_after)
        return form
    if caller is None:
        msg = "That key was not recognised, or it has been revoked."
        return _login_form(web, next_path, msg, status.HTTP_401_UNAUTHORIZED)
    if caller.role not in WEB_ROLES:
        security_event(
            "sign_in_failed", key_id=caller.key_id, role=caller.role, client=client, why="role"
        )
        msg = f"This key's role ({caller.role}) may not use the reviewer pages."
        return _login_form(web, next_path, msg, status.HTTP_403_FORBIDDEN)
    return caller


@router.post(PREFIX + "/login")
def login(
    request: Request,
    web: WebDep,
    api_key: FormStr = "",
    csrf_token: FormStr = "",
    next: FormStr = "",
) -> Response:
    """Check the key; a reviewer or admin gets a signed session cookie (never the key itself).

    The form's token is spent whatever the outcome: each sign-in form can be sent once.
    """
    if not web.codec.login_token_ok(request.cookies.get(LOGIN_COOKIE), csrf_token) or not web.spend(
        csrf_token, "login"
    ):
        msg = "The sign-in form had expired or did not come from this site. Please try again."
        return _login_form(web, next, msg, status.HTTP_403_FORBIDDEN)
    checked = _checked_key(request, web, api_key, next)
    if isinstance(checked, Response):
        return checked
    session = web.codec.new_session(checked.key_id, checked.role)
    response = RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    web.codec.set_session(response, session)
    web.codec.clear(response, LOGIN_COOKIE)
    request.state.key_id = checked.key_id
    security_event(
        "sign_in_succeeded",
        key_id=checked.key_id,
        role=checked.role,
        client=client_address(request),
    )
    return response


@router.post(PREFIX + "/logout")
def logout(web: WebDep, session: Reviewer, csrf_token: FormStr = "") -> Response:
    """End the session on the server (its cookie stops working, even a copy) and clear it."""
    check_csrf(web, session, csrf_token)
    web.end_session(session)
    response = RedirectResponse(f"{PREFIX}/login", status.HTTP_303_SEE_OTHER)
    web.codec.clear(response, SESSION_COOKIE)
    security_event("signed_out", key_id=session.key_id)
    return response
