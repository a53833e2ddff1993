"""What the body guard costs a request, in process: the guard around a no-op app vs the no-op app.

The guard checks the declared length, finds the path's area and verifies the key (throttle,
key cache, SHA-256) before the body is read; the route later reuses the verified caller. On a
shared 2-core machine a whole scored request varies by more than the guard costs, so the guard
is timed on its own (with a valid key, as on the scoring hot path); compare it with a scored
request's ~1 ms (``bench_serving``).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from types import SimpleNamespace
from typing import Any

from serving.api.limits import Area, BodyGuard, api_key_gate
from serving.app import build_services
from serving.metrics import ServiceMetrics
from serving.security import create_key
from serving.settings import ServingSettings


async def _noop(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _scope(app: Any, token: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": "/v1/score",
        "query_string": b"",
        "headers": [
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", b"5000"),
        ],
        "client": ("127.0.0.1", 5000),
        "app": app,
    }


async def _per_call_us(target: Any, scope: dict[str, Any], n: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"x" * 10, "more_body": False}

    async def send(_message: dict[str, Any]) -> None:
        return None

    t0 = time.perf_counter()
    for _ in range(n):
        await target(dict(scope, state={}), receive, send)
    return (time.perf_counter() - t0) / n * 1e6


def guard_overhead(database_url: str, n: int = 5000, rounds: int = 7) -> dict[str, float]:
    """Microseconds per request the guard adds (median of alternating rounds)."""
    services = build_services(ServingSettings(database_url=database_url), ServiceMetrics())
    try:
        token = create_key(services.store, "case_system")[1]
        app = SimpleNamespace(state=SimpleNamespace(services=services))
        guard = BodyGuard(_noop, [Area("/v1/", api_key_gate)])
        scope = _scope(app, token)
        bare, guarded = [], []
        for _ in range(rounds):
            bare.append(asyncio.run(_per_call_us(_noop, scope, n)))
            guarded.append(asyncio.run(_per_call_us(guard, scope, n)))
    finally:
        services.close()
    return {
        "noop_app_us": round(statistics.median(bare), 2),
        "with_guard_us": round(statistics.median(guarded), 2),
        "guard_adds_us": round(statistics.median(guarded) - statistics.median(bare), 2),
    }
