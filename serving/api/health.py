"""``/healthz`` (alive), ``/readyz`` (model loaded, database reachable) and ``/metrics``.

``/metrics`` needs an admin key (a Prometheus scrape job sends it as a bearer token): its
counters reveal how many cases of each grade were scored, which is not for everyone.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from serving.api.deps import Admin, ServicesDep
from serving.api.errors import AUTH
from serving.schemas_out import HealthOut

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=HealthOut)
async def healthz() -> HealthOut:
    """Return ok while the process serves requests."""
    return HealthOut(status="ok")


@router.get("/readyz", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def readyz(services: ServicesDep) -> Response:
    """Return ok when a model is loaded and the database answers; 503 otherwise."""
    checks = {
        "model_loaded": services.holder.loaded,
        "database": await run_in_threadpool(services.store.ping),
    }
    ok = all(checks.values())
    body = HealthOut(status="ok" if ok else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={**AUTH, 200: {"content": {"text/plain": {}}}},
)
async def metrics(services: ServicesDep, _caller: Admin) -> Response:
    """Return Prometheus metrics (latency, requests by outcome, scores by grade); admin key."""
    payload, content_type = services.metrics.exposition()
    return Response(payload, media_type=content_type)
