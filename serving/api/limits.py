"""Request bodies: a size limit enforced while they stream in, and authentication before them.

A pure ASGI middleware in front of every route. A declared ``Content-Length`` over the limit
is refused at once with 413 (nothing is read); a body without one is counted as it arrives and
refused with 413 the moment it passes the limit. Before any body is read, the gate of the
path's area must let the request in (the API: a valid key; the reviewer pages: a session), so
an unauthenticated caller never makes the server read, buffer or parse a body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from fastapi import HTTPException, Request, status
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response

from serving.api.auth import LockedOutError, verify_throttled
from serving.api.deps import Services, client_address, locked_out, request_token
from serving.metrics import ASGIApp, Message, Receive, Scope, Send

Gate = Callable[[Request], Awaitable[Response | None]]


def too_large_message(limit: int) -> str:
    """Return the 413's text, naming the limit."""
    return (
        f"the request body is larger than the limit of {limit:,} bytes "
        f"({limit / 2**20:.1f} MiB, setting SECONDLOOK_MAX_BODY_BYTES); send fewer cases per "
        "request"
    )


class BodyTooLargeError(HTTPException):
    """The body passed the limit while it was being read (answered 413 naming the limit)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, too_large_message(limit))


@dataclass(frozen=True)
class RefusedRoute:
    """Stands in for the route of a request refused before routing (its ``path`` is a label)."""

    path: str


@dataclass(frozen=True)
class Area:
    """Paths under ``prefix`` (bar ``open_paths``): their body limit and their gate."""

    prefix: str
    gate: Gate | None
    limit: int | None = None  # None: the service's max_body_bytes
    open_paths: frozenset[str] = frozenset()


async def api_key_gate(request: Request) -> Response | None:
    """Let a request with a valid key through (None); else its 401 or 429 response."""
    services: Services = request.app.state.services
    try:
        caller = verify_throttled(
            services.verifier, services.throttle, request_token(request), client_address(request)
        )
    except LockedOutError as exc:
        error = locked_out(exc)
        return JSONResponse({"detail": error.detail}, error.status_code, error.headers)
    if caller is None:
        return JSONResponse(
            {"detail": "a valid API key is required (Authorization: Bearer <key> or X-API-Key)"},
            status.HTTP_401_UNAUTHORIZED,
            {"WWW-Authenticate": "Bearer"},
        )
    request.state.caller = caller  # the route's authentication reuses it
    return None


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return bool(headers.get("transfer-encoding")) or (length is not None and length != "0")


def _declared_length(headers: Headers) -> int | None:
    try:
        return int(headers.get("content-length", ""))
    except ValueError:
        return None


class BodyGuard:
    """Refuses oversized bodies (413) and unauthenticated bodies before anything reads them."""

    def __init__(self, app: ASGIApp, areas: Sequence[Area]) -> None:
        self.app = app
        self.areas = tuple(areas)

    def _area(self, path: str) -> Area | None:
        return next((a for a in self.areas if path.startswith(a.prefix)), None)

    def _limit(self, scope: Scope, area: Area | None) -> int:
        if area is not None and area.limit is not None:
            return area.limit
        services: Any = getattr(scope["app"].state, "services", None)
        return int(services.settings.max_body_bytes) if services is not None else 2**24

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not _has_body(headers):
            await self.app(scope, receive, send)
            return
        area = self._area(scope["path"])
        limit = self._limit(scope, area)
        declared = _declared_length(headers)
        refused: Response | None = None
        if declared is not None and declared > limit:
            refused = JSONResponse({"detail": too_large_message(limit)}, 413)
        elif area is not None and area.gate is not None and scope["path"] not in area.open_paths:
            refused = await area.gate(Request(scope))
        if refused is None:
            await self.app(scope, _counting(receive, limit), send)
            return
        # never routed: label it by its area for the metrics and the access line, not its path
        scope["route"] = RefusedRoute(f"{area.prefix if area else '/'}* (refused before routing)")
        await refused(scope, receive, send)


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLargeError(limit)
        return message

    return counted


FORM_BODY_BYTES: Final[int] = 64 * 1024  # a reviewer form: a few fields of at most 5,000 chars
