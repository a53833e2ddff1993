"""Scoring below the routes: validate time order, build features, score, explain, grade, audit.

Every scored case is written to the audit log (committed) before its response is returned; if
the write fails, the request fails and nothing is answered. :func:`score_case` prepares the
response and its audit row; the caller stores the row (:func:`score_one` synchronously, the
API route through :class:`serving.db.audit_log_writer.AuditLogWriter`) before answering.
"""

from __future__ import annotations

import hashlib
import logging
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pydantic import ValidationError

from features.contracts import ContractError
from features.dash import QUESTION_IDS
from features.engine import case_features
from features.rules import ModelView, RulesConfig, StatutoryResult, combine, grade_case
from serving.case_builder import ErrorDict, time_order_errors, to_case
from serving.db.store import AuditRow, Store
from serving.explain import CaseRow, FloatArray, model_reasons, outcome
from serving.model_loader import LoadedModel
from serving.schemas import ScoreRequest
from serving.schemas_out import BatchItemOut, BatchScoreResponse, FieldError, ScoreResponse
from serving.security import Caller

log = logging.getLogger("serving.scoring")


class CaseRejectedError(ValueError):
    """A case failed validation; ``errors`` name each bad field (locations inside the case)."""

    def __init__(self, errors: list[ErrorDict]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors


@dataclass(frozen=True)
class ScoringContext:
    """What scoring needs besides the case: the model, the force's rules config, the caller."""

    model: LoadedModel
    rules: RulesConfig | None
    top_k: int
    caller: Caller
    request_id: str


@dataclass(frozen=True)
class Scored:
    """One scored case: its response model, the response JSON and its audit row."""

    response: ScoreResponse
    body: str
    audit: AuditRow


def new_request_id() -> str:
    """Return a fresh random request id."""
    return str(uuid.uuid4())


def contract_errors(exc: ContractError) -> list[ErrorDict]:
    """Translate a features/rules ContractError into field errors."""
    return [
        {"loc": [f.table, f.column], "msg": f.rule, "type": "value_error.contract"}
        for f in exc.failures
    ]


def explain_row(m: LoadedModel, values: FloatArray) -> tuple[float, float, str, FloatArray, float]:
    """Score one feature row with a single TreeSHAP pass: (raw, probability, band, contrib, base).

    The raw log-odds is the sum of the contributions and the base value (TreeSHAP is exact),
    so the booster is walked once instead of twice; probability and band then follow
    :meth:`CalibratedScorer.score` (a test checks they are equal).
    """
    spec = m.scorer.spec
    contrib = m.explainer.contributions(values)
    raw = float(contrib.sum())
    probability = spec.calibration.apply(np.array([1.0 / (1.0 + math.exp(-raw))]))
    band = str(spec.bands.band(probability)[0])
    return raw, float(probability[0]), band, contrib[:-1], float(contrib[-1])


def _model_part(req_case: Any, ctx: ScoringContext) -> dict[str, Any]:
    m = ctx.model
    values = np.ascontiguousarray(case_features(req_case)[m.columns])
    raw, probability, band, contrib, base = explain_row(m, values)
    answers = {q: str(req_case.assessment.get(q)) for q in QUESTION_IDS}
    row = CaseRow(values, m.feature_names, m.descriptions, answers)
    return {
        "name": m.name,
        "version": m.version,
        "probability": probability,
        "band": band,
        "outcome": outcome(m.scorer.spec, probability),
        "raw_score": raw,
        "base_value": base,
        **model_reasons(m.scorer.spec, contrib, base, row, ctx.top_k),
    }


def _recommendation(statutory: StatutoryResult, model: dict[str, Any], version: str) -> Any:
    rec = combine(statutory, ModelView(model["band"], model["probability"], version))
    reasons = [a.reason for a in rec.actions if a.action == "review_suggested"]
    return {
        "grade": rec.grade,
        "actions": [a.to_dict() for a in rec.actions],
        "review_suggested": rec.review_suggested,
        "review_reason": reasons[0] if reasons else None,
        "advisory_note": rec.advisory_note,
    }


def evaluate(req: ScoreRequest, ctx: ScoringContext) -> ScoreResponse:
    """Score one validated request (raises :class:`CaseRejectedError` for unsound input)."""
    errors = time_order_errors(req)
    if errors:
        raise CaseRejectedError(errors)
    case = to_case(req)
    try:
        statutory = grade_case(case, ctx.rules)
        model = _model_part(case, ctx)
    except ContractError as exc:
        raise CaseRejectedError(contract_errors(exc)) from exc
    return ScoreResponse.model_validate(
        {
            "request_id": ctx.request_id,
            "model_version": ctx.model.version,
            "rules_version": statutory.rules_version,
            "statutory": statutory.to_dict(),
            "model": model,
            "recommendation": _recommendation(statutory, model, ctx.model.version),
        }
    )


def audit_row(
    req: ScoreRequest, res: ScoreResponse, body: str, ctx: ScoringContext, i: int
) -> AuditRow:
    """Return the audit record of one scored case."""
    canonical = req.model_dump_json().encode("utf-8")
    return AuditRow(
        request_id=ctx.request_id,
        item_index=i,
        caller_key_id=ctx.caller.key_id,
        created_at=datetime.now(UTC),
        model_name=ctx.model.name,
        model_version=ctx.model.version,
        rules_version=res.rules_version,
        assessment_id=req.assessment.assessment_id,
        input_sha256=hashlib.sha256(canonical).hexdigest(),
        statutory_grade=res.statutory.grade,
        model_band=res.model.band,
        model_probability=res.model.probability,
        review_suggested=res.recommendation.review_suggested,
        response_json=body,
        case_input_json=canonical.decode("utf-8"),
    )


def score_case(req: ScoreRequest, ctx: ScoringContext) -> Scored:
    """Score one case: its response, the response JSON and the audit row still to be stored."""
    res = evaluate(req, ctx)
    body = res.model_dump_json()
    return Scored(res, body, audit_row(req, res, body, ctx, 0))


def score_one(req: ScoreRequest, ctx: ScoringContext, store: Store) -> Scored:
    """Score one case and store its audit record before returning."""
    done = score_case(req, ctx)
    store.record_scores([done.audit])
    return done


def _item(raw: dict[str, Any], i: int, ctx: ScoringContext) -> tuple[BatchItemOut, AuditRow | None]:
    try:
        req = ScoreRequest.model_validate(raw)
        res = evaluate(req, ctx)
    except ValidationError as exc:
        errors: list[ErrorDict] = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
        return _failed(i, errors), None
    except CaseRejectedError as exc:
        return _failed(i, exc.errors), None
    except Exception as exc:  # one case's failure, whatever it is, must not sink the batch
        log.error("batch case %d failed with %s", i, type(exc).__name__, exc_info=exc)
        msg = "this case could not be scored (an internal error); the other cases were"
        return _failed(i, [{"loc": [], "msg": msg, "type": "internal_error"}]), None
    row = audit_row(req, res, res.model_dump_json(), ctx, i)
    return BatchItemOut(index=i, status="ok", result=res), row


def _failed(i: int, errors: list[ErrorDict]) -> BatchItemOut:
    return BatchItemOut(
        index=i, status="error", errors=[FieldError.model_validate(e) for e in errors]
    )


def score_batch(
    cases: list[dict[str, Any]], ctx: ScoringContext, store: Store
) -> BatchScoreResponse:
    """Score each case on its own; store every successful case's audit record, then answer."""
    items, rows = [], []
    for i, raw in enumerate(cases):
        item, row = _item(raw, i, ctx)
        items.append(item)
        if row is not None:
            rows.append(row)
    store.record_scores(rows)
    return BatchScoreResponse(
        request_id=ctx.request_id,
        model_version=ctx.model.version,
        n_ok=len(rows),
        n_failed=len(items) - len(rows),
        results=items,
    )
