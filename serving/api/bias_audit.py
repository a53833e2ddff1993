"""``GET /v1/audit`` (summary), its pages and ``/v1/audit/report``: the served model's bias audit.

The audit is computed offline by ``secondlook audit`` (package ``bias_audit``, which serving
does not import) and attached to the model's MLflow run; the model loader reads it with the
model, so it always describes the model being served. Disclosure control is already applied
in the file (withheld groups carry their label only); these routes pass it on unchanged. The
summary is small; group tables, disparities and the officer funnel (megabytes at 100k
victims) come in pages of at most ``MAX_PAGE`` items.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
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


MAX_PAGE = 500
# Parts of the audit JSON that grow with the data: served in pages, not in the summary.
PAGED = ("groups", "disparities")


class TableRef(BaseModel):
    """One group table (a scorer by a grouping) and how many groups it has."""

    scorer: str
    grouping: str
    groups: int


class BiasAuditOut(BaseModel):
    """The served model and its bias audit's summary; the group tables come in pages."""

    model_name: str
    model_version: str
    run_id: str | None
    summary: dict[str, Any] = Field(
        description="Everything but the group tables, the disparity list and the officer "
        "funnel's points: outcome, sizes, settings, the disclosure rule and what it withheld, "
        "the multiple-comparison family, the officer effect and the flagged disparities."
    )
    tables: list[TableRef] = Field(description="Group tables: page through GET /v1/audit/groups")
    disparities: int = Field(description="Disparities tested or not: GET /v1/audit/disparities")
    officers: int = Field(description="Officers shown in the funnel: GET /v1/audit/officers")


class PageOut(BaseModel):
    """One page of a list: ``items[offset : offset + limit]`` of ``total``."""

    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]]


class GroupPageOut(PageOut):
    """One page of the groups of one table (withheld groups carry their label only)."""

    scorer: str
    grouping: str
    columns: list[str]
    reference: str


Offset = Annotated[int, Query(ge=0, description="Index of the first item")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page")]


def audit_summary(audit: dict[str, Any]) -> dict[str, Any]:
    """Return the audit without its paged parts (flagged disparities and funnel limits kept)."""
    summary = {k: v for k, v in audit.items() if k not in PAGED}
    summary["flagged"] = [d for d in audit.get("disparities", []) if d.get("flagged")]
    officer = audit.get("officer_effect")
    if officer:
        summary["officer_effect"] = {k: v for k, v in officer.items() if k != "officers"}
    return summary


def _page(items: list[dict[str, Any]], offset: int, limit: int) -> dict[str, Any]:
    return {
        "total": len(items),
        "offset": offset,
        "limit": limit,
        "items": items[offset : offset + limit],
    }


def _audit(model: LoadedModel) -> dict[str, Any]:
    if model.bias_audit is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, missing_message(model))
    return model.bias_audit


def missing_message(model: LoadedModel) -> str:
    """Return the 404 text: which model has no audit and how to attach one."""
    return (
        f"no bias audit attached to model {model.name} version {model.version}; run "
        "`secondlook audit` (it attaches the report to the model's MLflow run), then "
        "POST /v1/admin/reload"
    )


@router.get("", response_model=BiasAuditOut, responses={**AUTH, **UNAVAILABLE, **NOT_FOUND})
async def bias_audit(model: ModelDep, _caller: Researcher) -> BiasAuditOut:
    """Return the summary of the served model's bias audit (researcher and admin keys)."""
    audit = _audit(model)
    tables = [
        TableRef(scorer=b["scorer"], grouping=b["grouping"], groups=len(b["groups"]))
        for b in audit.get("groups", [])
    ]
    officers = (audit.get("officer_effect") or {}).get("officers") or []
    return BiasAuditOut(
        model_name=model.name,
        model_version=model.version,
        run_id=model.run_id,
        summary=audit_summary(audit),
        tables=tables,
        disparities=len(audit.get("disparities", [])),
        officers=len(officers),
    )


@router.get("/groups", response_model=GroupPageOut, responses={**AUTH, **UNAVAILABLE, **NOT_FOUND})
async def bias_audit_groups(
    model: ModelDep,
    _caller: Researcher,
    scorer: Annotated[str, Query(description="A scorer named in GET /v1/audit's tables")],
    grouping: Annotated[str, Query(description="A grouping named in GET /v1/audit's tables")],
    offset: Offset = 0,
    limit: Limit = 100,
) -> GroupPageOut:
    """Return one page of one group table of the served model's bias audit."""
    block = next(
        (
            b
            for b in _audit(model).get("groups", [])
            if b["scorer"] == scorer and b["grouping"] == grouping
        ),
        None,
    )
    if block is None:
        detail = "no group table for that scorer and grouping; GET /v1/audit lists them in tables"
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail)
    return GroupPageOut(
        scorer=block["scorer"],
        grouping=block["grouping"],
        columns=list(block["columns"]),
        reference=block["reference"],
        **_page(block["groups"], offset, limit),
    )


@router.get("/disparities", response_model=PageOut, responses={**AUTH, **UNAVAILABLE, **NOT_FOUND})
async def bias_audit_disparities(
    model: ModelDep, _caller: Researcher, offset: Offset = 0, limit: Limit = 100
) -> PageOut:
    """Return one page of every disparity comparison (tested or not) of the bias audit."""
    return PageOut(**_page(_audit(model).get("disparities", []), offset, limit))


@router.get("/officers", response_model=PageOut, responses={**AUTH, **UNAVAILABLE, **NOT_FOUND})
async def bias_audit_officers(
    model: ModelDep, _caller: Researcher, offset: Offset = 0, limit: Limit = 100
) -> PageOut:
    """Return one page of the officer funnel's shown (pseudonymised) officers."""
    officers = (_audit(model).get("officer_effect") or {}).get("officers") or []
    return PageOut(**_page(officers, offset, limit))


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
