"""The reviewer pages: queue, disagreements, one case (with its review form) and the model."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request, status
from starlette.responses import HTMLResponse, RedirectResponse, Response

from serving.api.deps import ModelDep
from serving.db.reviewer_store import ReviewRefusedError
from serving.security_events import security_event
from serving.web.case_view import build_case_view
from serving.web.deps import PREFIX, Reviewer, WebContext, WebDep, check_csrf
from serving.web.model_view import build_model_view
from serving.web.queue import (
    BadCursorError,
    GradeParam,
    QueueParams,
    StateParam,
    SuggestedParam,
    build_queue,
)
from serving.web.reviews import case_grade, review_from_form
from serving.web.session import WebSession

router = APIRouter(prefix=PREFIX, include_in_schema=False)
log = logging.getLogger("serving.web")
AuditId = Annotated[int, Path(ge=1, le=2**62)]
FormStr = Annotated[str, Form(max_length=5000)]


def queue_params(
    grade: GradeParam = "",
    band: GradeParam = "",
    suggested: SuggestedParam = "",
    state: StateParam = "any",
    after: Annotated[str, Query(max_length=64)] = "",
) -> QueueParams:
    """Read the queue's filters and cursor from the query string."""
    return QueueParams(grade, band, suggested, state, after)


Params = Annotated[QueueParams, Depends(queue_params)]


def _error(web: WebContext, session: WebSession, code: int, heading: str, msg: str) -> Response:
    context = {"session": session, "active": "", "heading": heading, "message": msg}
    return web.render("error.html", context, code)


def _queue(
    request: Request, web: WebContext, session: WebSession, params: QueueParams, disagree: bool
) -> Response:
    size = web.services.settings.web_page_size
    try:
        view = build_queue(web.store, params, request.url.path, disagree, size)
    except BadCursorError as exc:
        return _error(web, session, status.HTTP_400_BAD_REQUEST, "Page not found", str(exc))
    active = "disagreements" if disagree else "queue"
    return web.render("queue.html", {"session": session, "active": active, "view": view})


@router.get("/queue")
def queue_page(request: Request, web: WebDep, session: Reviewer, params: Params) -> Response:
    """List scored cases, newest first, filtered by grade, band and review state."""
    return _queue(request, web, session, params, disagree=False)


@router.get("/disagreements")
def disagreements_page(
    request: Request, web: WebDep, session: Reviewer, params: Params
) -> Response:
    """List cases where a review was suggested, highest model probability first."""
    return _queue(request, web, session, params, disagree=True)


def _case(
    web: WebContext,
    session: WebSession,
    audit_id: int,
    extra: dict[str, Any],
    code: int = status.HTTP_200_OK,
) -> Response:
    audit = web.store.audit_case(audit_id)
    if audit is None:
        msg = f"There is no scored case #{audit_id}."
        return _error(web, session, status.HTTP_404_NOT_FOUND, "Case not found", msg)
    view = build_case_view(audit, web.store.reviews_for(audit_id))
    context = {"session": session, "active": "", "view": view, **extra}
    return web.render("case.html", context, code)


@router.get("/cases/{audit_id}")
def case_page(
    audit_id: AuditId, web: WebDep, session: Reviewer, recorded: Annotated[int, Query()] = 0
) -> Response:
    """Show one case: statutory grade and actions first, then the model's advisory view."""
    form = {"decision": "", "raised_to": "", "reason": ""}
    return _case(web, session, audit_id, {"recorded": bool(recorded), "error": None, "form": form})


@router.post("/cases/{audit_id}/reviews")
def record_review(
    audit_id: AuditId,
    web: WebDep,
    session: Reviewer,
    csrf_token: FormStr = "",
    decision: FormStr = "",
    raised_to: FormStr = "",
    reason: FormStr = "",
) -> Response:
    """Record a review (agree, raise, no change); lowering a statutory grade is refused."""
    check_csrf(web, session, csrf_token)
    audit = web.store.audit_case(audit_id)
    if audit is None:
        msg = f"There is no scored case #{audit_id}."
        return _error(web, session, status.HTTP_404_NOT_FOUND, "Case not found", msg)
    form = {"decision": decision, "raised_to": raised_to, "reason": reason}
    try:
        current = case_grade(audit.statutory_grade, web.store.reviews_for(audit_id))
        review = review_from_form(audit_id, current, decision, raised_to, reason, session.key_id)
        web.store.add_review(review)
    except ReviewRefusedError as exc:
        log.info("review refused audit_id=%d key_id=%s", audit_id, session.key_id)
        extra = {"recorded": False, "error": str(exc), "form": form}
        return _case(web, session, audit_id, extra, status.HTTP_422_UNPROCESSABLE_CONTENT)
    security_event(
        "grade_raised" if review.decision == "raise" else "review_recorded",
        audit_id=audit_id,
        key_id=session.key_id,
        decision=review.decision,
    )
    target = f"{PREFIX}/cases/{audit_id}?recorded=1#reviews"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


@router.get("/model")
def model_page(web: WebDep, session: Reviewer, model: ModelDep) -> HTMLResponse:
    """Show the model card and the training comparison with DASH."""
    view = build_model_view(model, web.services.settings.resolved_tracking_uri())
    return web.render("model.html", {"session": session, "active": "model", "view": view})
