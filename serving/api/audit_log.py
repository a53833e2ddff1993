"""Audit read endpoints: aggregates, and the records of one request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from fastapi.concurrency import run_in_threadpool

from serving.api.deps import AuditReader, CaseAuditReader, ServicesDep
from serving.api.errors import AUTH
from serving.db.store import AuditRecord
from serving.schemas_out import AuditSummary, GradeCount
from serving.security_events import security_event

router = APIRouter(prefix="/v1/audit", tags=["audit"])
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f\-]{36}$")]


@router.get("/summary", response_model=AuditSummary, responses=AUTH)
async def audit_summary(services: ServicesDep, _caller: AuditReader) -> AuditSummary:
    """Return counts of scored cases by statutory grade, model band and review suggestion."""
    rows = await run_in_threadpool(services.store.grade_counts)
    by_grade = [
        GradeCount(statutory_grade=g, model_band=b, review_suggested=r, count=n)
        for g, b, r, n in rows
    ]
    return AuditSummary(total=sum(c.count for c in by_grade), by_grade=by_grade)


@router.get(
    "/requests/{request_id}",
    response_model=list[AuditRecord],
    responses={**AUTH, 404: {"description": "no such request"}},
)
async def audit_request(
    request_id: RequestId, services: ServicesDep, caller: CaseAuditReader
) -> list[AuditRecord]:
    """Return the audit records of one request (one per scored case); reviewer and admin keys."""
    rows = await run_in_threadpool(services.store.audit_for_request, request_id)
    if not rows:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no audit records for this request id")
    security_event(
        "export", key_id=caller.key_id, request_id=request_id, what="audit_records", rows=len(rows)
    )
    return rows
