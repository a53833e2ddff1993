"""``GET /v1/audit`` and ``/v1/audit/report``: the bias audit of the served model, for researchers.

The audit is computed offline by ``secondlook audit`` (package ``bias_audit``, which serving
does not import) and attached to the model's MLflow run; the model loader reads it with the
model, so it always describes the model being served. Disclosure control is already applied
in the file (withheld groups carry their label only); these routes pass it on unchanged.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from serving.api.deps import ModelDep, RoleChecker
from serving.api.errors import AUTH, UNAVAILABLE, ErrorOut
from serving.model_loader import LoadedModel
from serving.security import Caller

router = APIRouter(prefix="/v1/audit", tags=["bias audit"])
Researcher = Annotated[Caller, Depends(RoleChecker("researcher", "admin"))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no bias audit is attached to the served model"},
}
# The report is static HTML with inline CSS and data: images; it may load nothing else.
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'"


class BiasAuditOut(BaseModel):
    """The served model and its bias audit (every figure; suppressed groups carry no figures)."""

    model_name: str
    model_version: str
    run_id: str | None
    audit: dict[str, Any] = Field(
        description="The audit's JSON: per-group metrics with intervals by scorer and grouping, "
        "disparities against the reference group with the multiple-comparison family, and "
        "the officer effect. Groups under the suppression threshold have no figures."
    )


def missing_message(model: LoadedModel) -> str:
    """Return the 404 text: which model has no audit and how to attach one."""
    return (
        f"no bias audit attached to model {model.name} version {model.version}; run "
        "`secondlook audit` (it attaches the report to the model's MLflow run), then "
        "POST /v1/admin/reload"
    )


@router.get("", response_model=BiasAuditOut, responses={**AUTH, **UNAVAILABLE, **NOT_FOUND})
async def bias_audit(model: ModelDep, _caller: Researcher) -> BiasAuditOut:
    """Return the bias audit of the served model (researcher and admin keys)."""
    if model.bias_audit is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, missing_message(model))
    return BiasAuditOut(
        model_name=model.name,
        model_version=model.version,
        run_id=model.run_id,
        audit=model.bias_audit,
    )


@router.get(
    "/report",
    response_class=HTMLResponse,
    responses={**AUTH, **UNAVAILABLE, **NOT_FOUND, 200: {"content": {"text/html": {}}}},
)
async def bias_audit_report(model: ModelDep, _caller: Researcher) -> HTMLResponse:
    """Return the bias audit's self-contained HTML report for the served model."""
    if model.bias_audit_html is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, missing_message(model))
    return HTMLResponse(model.bias_audit_html, headers={"Content-Security-Policy": REPORT_CSP})
