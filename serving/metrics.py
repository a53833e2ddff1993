"""Prometheus metrics (one registry per app) and the one log line of every request.

Recorded by a pure ASGI middleware (cheaper than ``BaseHTTPMiddleware``); the route label is
the matched path template, never the raw URL, so no identifier reaches a label or a log line.
The middleware gives each request its id (``request.state.request_id``, echoed in the
``X-Request-ID`` header; a scored case's audit rows carry the same id).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("secondlook.access")
REQUEST_ID_HEADER = b"x-request-id"
BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class ServiceMetrics:
    """The service's metric families, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.latency = Histogram(
            "secondlook_request_seconds",
            "Request latency by route",
            ["route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.requests = Counter(
            "secondlook_requests",
            "Requests by route and outcome (ok, client_error, server_error)",
            ["route", "outcome"],
            registry=self.registry,
        )
        self.scores = Counter(
            "secondlook_scores",
            "Scored cases by statutory grade, model band and review suggestion",
            ["statutory_grade", "model_band", "review_suggested"],
            registry=self.registry,
        )

        self.audit_commits = Counter(
            "secondlook_audit_commits",
            "Audit-log transactions committed (rows / commits = requests sharing a commit)",
            registry=self.registry,
        )
        self.audit_rows = Counter(
            "secondlook_audit_rows", "Audit rows committed", registry=self.registry
        )

    def count_audit_commit(self, rows: int) -> None:
        """Count one committed audit transaction of ``rows`` rows."""
        self.audit_commits.inc()
        self.audit_rows.inc(rows)

    def count_score(self, grade: str, band: str, review: bool) -> None:
        """Count one scored case."""
        self.scores.labels(grade, band, "true" if review else "false").inc()

    def exposition(self) -> tuple[bytes, str]:
        """Return the text exposition and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def _outcome(status: int) -> str:
    return "ok" if status < 400 else "client_error" if status < 500 else "server_error"


class MetricsMiddleware:
    """Times each HTTP request and counts it by route template and outcome."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500
        state = scope.setdefault("state", {})
        request_id = state["request_id"] = str(uuid.uuid4())

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", ()))
                if not any(k.lower() == REQUEST_ID_HEADER for k, _ in headers):
                    message["headers"] = [*headers, (REQUEST_ID_HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            label = str(getattr(route, "path", "unmatched"))
            seconds = time.perf_counter() - start
            self.metrics.latency.labels(label).observe(seconds)
            self.metrics.requests.labels(label, _outcome(status)).inc()
            _log_request(scope, label, status, seconds, request_id)


def _log_request(scope: Scope, route: str, status: int, seconds: float, request_id: str) -> None:
    """Write the request's one access line: route template, status, latency, key id, request id."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    access_log.info(
        "%s %s %d",
        scope.get("method", ""),
        route,
        status,
        extra={
            "method": scope.get("method", ""),
            "route": route,
            "status": status,
            "ms": round(seconds * 1000, 2),
            "key_id": scope["state"].get("key_id"),
            "request_id": request_id,
        },
    )
