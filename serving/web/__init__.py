"""Reviewer pages: server-rendered HTML beside the API, behind a reviewer or admin session.

:func:`install_web` adds the routes, the static files and the redirects to sign-in;
:func:`score_and_record` scores cases in-process into the audit log (to fill the queue).
"""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse, Response

from serving.web.deps import (
    PREFIX,
    STATIC_DIR,
    LoginRequiredError,
    WebForbiddenError,
    current_session_or_none,
    get_web,
    login_url,
)
from serving.web.routes_auth import router as auth_router
from serving.web.routes_pages import router as pages_router
from serving.web.seed import SeedOutcome, record_cases, score_and_record

__all__ = ["SeedOutcome", "install_web", "record_cases", "score_and_record"]


async def _to_login(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequiredError)
    return RedirectResponse(login_url(exc.next_path), status.HTTP_303_SEE_OTHER)


async def _forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebForbiddenError)
    web = get_web(request)
    context = {
        "session": current_session_or_none(request, web),
        "active": "",
        "heading": "Not allowed",
        "message": exc.message,
    }
    return web.render("error.html", context, status.HTTP_403_FORBIDDEN)


def install_web(app: FastAPI) -> None:
    """Add the reviewer pages, their static files and their error pages to ``app``."""
    app.include_router(auth_router)
    app.include_router(pages_router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="reviewer-static")
    app.add_exception_handler(LoginRequiredError, _to_login)
    app.add_exception_handler(WebForbiddenError, _forbidden)
