"""``POST /v1/score`` and ``POST /v1/score/batch``.

The single-case route is ``async`` on purpose: its work is about a millisecond of CPU under
the GIL, so a thread hop would only add latency. Its audit row is committed in one transaction
with the rows of every request that reaches the audit writer in the same event-loop turn
(:mod:`serving.db.audit_log_writer`), and the response waits for that commit.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import SQLAlchemyError

from serving.api.body import json_body, parse_body
from serving.api.deps import ScoringCall, ScoringCallDep, Services
from serving.api.errors import AUTH, BAD_BODY, LOCKED_OUT, TOO_LARGE, UNAVAILABLE
from serving.db.audit_log_writer import AuditLogUnavailableError
from serving.examples import SCORE_EXAMPLES
from serving.schemas import BatchScoreRequest, ScoreRequest
from serving.schemas_out import BatchScoreResponse, ScoreResponse
from serving.scoring_service import (
    CaseRejectedError,
    ScoringContext,
    score_batch,
    score_case,
)

router = APIRouter(prefix="/v1", tags=["scoring"])
log = logging.getLogger("serving.score")


def _context(call: ScoringCall) -> ScoringContext:
    return ScoringContext(
        model=call.model,
        rules=call.services.rules,
        top_k=call.services.settings.top_contributions,
        caller=call.caller,
        request_id=call.request_id,
    )


def _audit_unavailable(exc: SQLAlchemyError | AuditLogUnavailableError) -> HTTPException:
    log.error("audit write failed (%s); nothing was answered", type(exc).__name__)
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE, "the audit log is unavailable; the case was not scored"
    )


@router.post(
    "/score",
    response_model=ScoreResponse,
    responses={**BAD_BODY, **AUTH, **TOO_LARGE, **LOCKED_OUT, **UNAVAILABLE},
    summary="Score one case: statutory grade (authoritative) and the model's advisory view",
    openapi_extra=json_body(ScoreRequest, SCORE_EXAMPLES),
)
async def score(call: ScoringCallDep, request: Request) -> Response:
    """Grade the case by the statutory rules, score and explain it; audit it before answering."""
    start = time.perf_counter()
    req = await parse_body(request, ScoreRequest)  # a ScoreRequest, in one pass
    services, ctx = call.services, _context(call)
    try:
        done = score_case(req, ctx)
    except CaseRejectedError as exc:
        raise RequestValidationError(
            [{**e, "loc": ["body", *e["loc"]]} for e in exc.errors]
        ) from exc
    try:
        await services.audit_log.write([done.audit])
    except (SQLAlchemyError, AuditLogUnavailableError) as exc:
        raise _audit_unavailable(exc) from exc
    res = done.response
    services.metrics.count_score(
        res.statutory.grade, res.model.band, res.recommendation.review_suggested
    )
    log.debug(
        "scored request_id=%s key_id=%s model=%s grade=%s band=%s review=%s ms=%.2f",
        ctx.request_id,
        ctx.caller.key_id,
        ctx.model.version,
        res.statutory.grade,
        res.model.band,
        res.recommendation.review_suggested,
        (time.perf_counter() - start) * 1000,
    )
    return Response(
        done.body, media_type="application/json", headers={"X-Request-ID": ctx.request_id}
    )


def _batch(
    cases: list[dict[str, Any]], ctx: ScoringContext, services: Services
) -> BatchScoreResponse:
    out = score_batch(cases, ctx, services.store)
    for item in out.results:
        if item.result is not None:
            r = item.result
            services.metrics.count_score(
                r.statutory.grade, r.model.band, r.recommendation.review_suggested
            )
    return out


@router.post(
    "/score/batch",
    response_model=BatchScoreResponse,
    responses={**BAD_BODY, **AUTH, **TOO_LARGE, **LOCKED_OUT, **UNAVAILABLE},
    summary="Score up to 1,000 cases; a failing case is reported by index, the rest are scored",
    openapi_extra=json_body(BatchScoreRequest, {}),
)
async def score_batch_route(call: ScoringCallDep, request: Request) -> BatchScoreResponse:
    """Score each case independently and audit every scored case before answering."""
    req = await parse_body(request, BatchScoreRequest)  # after the key was checked
    services = call.services
    if len(req.cases) > services.settings.max_batch:
        raise RequestValidationError(
            [
                {
                    "loc": ["body", "cases"],
                    "msg": f"at most {services.settings.max_batch} cases",
                    "type": "too_long",
                }
            ]
        )
    ctx = _context(call)
    try:
        out = await run_in_threadpool(_batch, req.cases, ctx, services)
    except SQLAlchemyError as exc:
        raise _audit_unavailable(exc) from exc
    log.info(
        "scored batch request_id=%s key_id=%s model=%s ok=%d failed=%d",
        ctx.request_id,
        ctx.caller.key_id,
        ctx.model.version,
        out.n_ok,
        out.n_failed,
    )
    return out
