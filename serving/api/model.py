"""``GET /v1/model`` (what is served) and ``POST /v1/admin/reload`` (follow the alias)."""

from __future__ import annotations

import logging
from collections import defaultdict

from fastapi import APIRouter, HTTPException, status
from fastapi.concurrency import run_in_threadpool

from features.engine.registry import spec
from features.rules import RULES_VERSION
from serving.api.deps import Admin, AnyRole, ModelDep, ServicesDep
from serving.api.errors import AUTH, UNAVAILABLE
from serving.model_loader import LoadedModel, ModelNotAvailableError
from serving.schemas_out import FeatureInfo, ModelInfo, ReloadOut
from serving.security_events import security_event

router = APIRouter(prefix="/v1", tags=["model"])
log = logging.getLogger("serving.model")
SCORERS = ("model", "dash_count", "statutory_grade", "officer_grade", "logistic_all", "oracle")
REFERENCE = "dash_count"


def grouped_metrics(flat: dict[str, float]) -> dict[str, dict[str, float]]:
    """Group run metrics named ``{scorer}_{metric}`` by scorer (others under ``run``)."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for key, value in sorted(flat.items()):
        scorer = next((s for s in SCORERS if key.startswith(s + "_")), None)
        if scorer is None:
            out["run"][key] = value
        else:
            out[scorer][key.removeprefix(scorer + "_")] = value
    return dict(out)


def versus(groups: dict[str, dict[str, float]], reference: str = REFERENCE) -> dict[str, float]:
    """Return model minus reference for every metric both report."""
    model, ref = groups.get("model", {}), groups.get(reference, {})
    return {k: model[k] - ref[k] for k in sorted(model.keys() & ref.keys())}


def model_info(m: LoadedModel) -> ModelInfo:
    """Describe the loaded model for ``/v1/model``."""
    groups = grouped_metrics(m.metrics)
    bands = m.scorer.spec.bands
    return ModelInfo(
        name=m.name,
        version=m.version,
        alias=m.alias,
        run_id=m.run_id,
        target=m.scorer.spec.target,
        loaded_at=m.loaded_at,
        bands={"medium": bands.medium, "high": bands.high},
        metrics=groups,
        versus_dash=versus(groups),
        features=[
            FeatureInfo(name=n, family=spec(n).family, description=spec(n).description)
            for n in m.feature_names
        ],
        rules_version=RULES_VERSION,
        model_card=m.model_card,
    )


@router.get("/model", response_model=ModelInfo, responses={**AUTH, **UNAVAILABLE})
async def get_model(model: ModelDep, _caller: AnyRole) -> ModelInfo:
    """Return the served model's version, alias, metrics vs DASH, features and model card."""
    return model_info(model)


@router.post("/admin/reload", response_model=ReloadOut, responses={**AUTH, **UNAVAILABLE})
async def reload_model(services: ServicesDep, caller: Admin) -> ReloadOut:
    """Load the configured alias/version again and swap it in; requests in flight are unaffected."""
    try:
        previous, fresh = await run_in_threadpool(services.holder.reload)
    except ModelNotAvailableError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    old = previous.version if previous is not None else None
    security_event(
        "model_reloaded", key_id=caller.key_id, previous_version=old, version=fresh.version
    )
    return ReloadOut(
        previous_version=old, version=fresh.version, alias=fresh.alias, changed=old != fresh.version
    )
