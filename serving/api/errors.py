"""Error responses: their OpenAPI descriptions, and handlers that never echo a request value."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

log = logging.getLogger("serving.errors")


class ErrorOut(BaseModel):
    """An error message."""

    detail: str


AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "missing or invalid API key"},
    403: {"model": ErrorOut, "description": "the key's role may not use this endpoint"},
}
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorOut, "description": "no model loaded or the audit log is unavailable"},
}
BAD_BODY: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "the body could not be parsed as JSON"},
}
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "the body is larger than the configured limit"},
}
LOCKED_OUT: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "too many failed keys from this address or key id"},
}
MAX_LOC_PART: Final[int] = 64
MAX_MSG: Final[int] = 300


def _short(part: Any) -> str | int:
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    text = str(part)
    return text if len(text) <= MAX_LOC_PART else text[:MAX_LOC_PART] + "..."


def field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Return validation errors as location, rule and message only: no input, no context."""
    return [
        {
            "loc": [_short(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", ""))[:MAX_MSG],
            "type": str(e.get("type", "")),
        }
        for e in errors
    ]


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": field_errors(exc.errors())}, 422)


async def _server_error(request: Request, exc: Exception) -> Response:
    request_id = getattr(request.state, "request_id", "")
    route = str(getattr(request.scope.get("route"), "path", "unmatched"))  # never the raw URL
    log.error("unhandled %s on %s", type(exc).__name__, route, exc_info=exc)
    detail = f"internal error; nothing about the request was kept (request id {request_id})"
    return JSONResponse({"detail": detail}, 500)


def install_error_handlers(app: FastAPI) -> None:
    """Answer 422s with location, rule and message only, and 500s without any detail."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
