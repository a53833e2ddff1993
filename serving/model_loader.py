"""Load the registered model from MLflow and hold it for the routes, swappable on reload.

The model's artifacts (``booster.txt``, ``scoring.json``, ``model_card.md``) are downloaded and
turned straight into a :class:`~features.model_format.scoring.CalibratedScorer`: the hot path
never goes through the pyfunc wrapper. The run's metrics and the model card come along for
``/v1/model``, and the bias audit attached to the run by ``secondlook audit``
(``audit/audit_report.json`` and ``.html``), when there is one, for ``/v1/audit``.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mlflow.artifacts
import numpy as np
import numpy.typing as npt
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from features.engine.registry import describe, feature_names
from features.model_format.scoring import (
    BOOSTER_FILE,
    MODEL_CARD_FILE,
    SCORING_FILE,
    CalibratedScorer,
)
from serving.row_explainer import RowExplainer
from serving.settings import ServingSettings

log = logging.getLogger("serving.model_loader")
# Where ``audit.run_model_audit`` logs the bias audit in the model's run (bias_audit.report's names;
# serving does not import ``audit``, a test keeps the two in step).
BIAS_AUDIT_DIR = "audit"
BIAS_AUDIT_JSON = "audit_report.json"
BIAS_AUDIT_HTML = "audit_report.html"


class ModelNotAvailableError(RuntimeError):
    """No registered model matches the configured name and alias/version."""


@dataclass(frozen=True)
class LoadedModel:
    """An immutable, ready-to-score model with what ``/v1/model`` reports about it."""

    name: str
    version: str
    alias: str | None
    run_id: str | None
    scorer: CalibratedScorer
    metrics: dict[str, float]
    model_card: str
    loaded_at: datetime
    columns: npt.NDArray[np.intp]  # registry positions of the model's features, in model order
    explainer: RowExplainer  # single-row TreeSHAP of the scorer's booster (the hot path)
    descriptions: tuple[str, ...] = field(default=())
    bias_audit: dict[str, Any] | None = None  # the attached audit's JSON, if any
    bias_audit_html: str | None = None  # its self-contained HTML report, if any

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Return the model's feature names in its column order."""
        return self.scorer.spec.feature_names


def not_available_message(settings: ServingSettings, detail: str) -> str:
    """Return the refusal text: what was looked for, where, and how to train a model."""
    return (
        f"No registered model {settings.model_name!r} at {settings.model_ref!r} in the MLflow "
        f"store {settings.resolved_tracking_uri()} ({detail}). Train and register one first: "
        "`secondlook train` (it sets the 'champion' alias), or point MLFLOW_TRACKING_URI / "
        "SECONDLOOK_MODEL_NAME / SECONDLOOK_MODEL_REF at an existing model."
    )


def resolve_version(client: MlflowClient, settings: ServingSettings) -> ModelVersion:
    """Resolve the configured alias or version number to a registry model version."""
    ref = settings.model_ref
    try:
        if ref.isdigit():
            return client.get_model_version(settings.model_name, ref)
        return client.get_model_version_by_alias(settings.model_name, ref)
    except MlflowException as exc:
        raise ModelNotAvailableError(not_available_message(settings, exc.message)) from exc


def _find(root: Path, filename: str) -> Path:
    found = sorted(root.rglob(filename))
    if not found:
        raise ModelNotAvailableError(f"the model's artifacts have no {filename}")
    return found[0]


def _column_positions(model_features: tuple[str, ...]) -> npt.NDArray[np.intp]:
    registry = {name: i for i, name in enumerate(feature_names())}
    unknown = [f for f in model_features if f not in registry]
    if unknown:
        raise ModelNotAvailableError(f"the model uses features this code does not build: {unknown}")
    return np.array([registry[f] for f in model_features], dtype=np.intp)


def _read_artifacts(uri: str, settings: ServingSettings) -> tuple[CalibratedScorer, str]:
    uris = settings.resolved_tracking_uri()
    with tempfile.TemporaryDirectory(prefix="secondlook-model-") as tmp:
        local = Path(
            mlflow.artifacts.download_artifacts(
                artifact_uri=uri, dst_path=tmp, tracking_uri=uris, registry_uri=uris
            )
        )
        booster_dir = _find(local, BOOSTER_FILE).parent
        if not (booster_dir / SCORING_FILE).exists():
            booster_dir = _find(local, SCORING_FILE).parent
        scorer = CalibratedScorer.load(booster_dir)
        cards = sorted(local.rglob(MODEL_CARD_FILE))
        card = cards[0].read_text() if cards else "(no model card was logged with this model)"
    return scorer, card


def _run_metrics(client: MlflowClient, run_id: str | None) -> dict[str, float]:
    if not run_id:
        return {}
    try:
        return {k: float(v) for k, v in client.get_run(run_id).data.metrics.items()}
    except MlflowException:
        return {}


def read_bias_audit(
    client: MlflowClient, run_id: str | None
) -> tuple[dict[str, Any] | None, str | None]:
    """Return the bias audit's JSON and HTML attached to ``run_id`` (``None`` when absent)."""
    if not run_id:
        return None, None
    try:
        names = {Path(a.path).name for a in client.list_artifacts(run_id, BIAS_AUDIT_DIR)}
        if BIAS_AUDIT_JSON not in names:
            return None, None
        with tempfile.TemporaryDirectory(prefix="secondlook-audit-") as tmp:
            local = Path(client.download_artifacts(run_id, BIAS_AUDIT_DIR, tmp))
            data = json.loads((local / BIAS_AUDIT_JSON).read_text(encoding="utf-8"))
            html_path = local / BIAS_AUDIT_HTML
            html = html_path.read_text(encoding="utf-8") if html_path.exists() else None
    except (MlflowException, OSError, ValueError) as exc:
        log.warning("bias audit of run %s could not be read: %s", run_id, exc)
        return None, None
    return (data, html) if isinstance(data, dict) else (None, None)


def load_model(settings: ServingSettings) -> LoadedModel:
    """Resolve, download and build the configured model; raise if none is registered."""
    uri = settings.resolved_tracking_uri()
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    version = resolve_version(client, settings)
    # The concrete artifact location, resolved by our client: MLflow's own ``models:/`` lookup
    # inside download_artifacts consults the process-wide tracking URI, not ours.
    location = client.get_model_version_download_uri(version.name, version.version)
    scorer, card = _read_artifacts(location, settings)
    aliases = list(getattr(version, "aliases", []) or [])
    alias = settings.model_ref if settings.model_ref in aliases else (aliases or [None])[0]
    names = scorer.spec.feature_names
    bias_audit, bias_audit_html = read_bias_audit(client, version.run_id)
    return LoadedModel(
        name=str(version.name),
        version=str(version.version),
        alias=alias,
        run_id=version.run_id,
        scorer=scorer,
        metrics=_run_metrics(client, version.run_id),
        model_card=card,
        loaded_at=datetime.now(UTC),
        columns=_column_positions(names),
        explainer=RowExplainer(scorer.booster),
        descriptions=tuple(describe(n) for n in names),
        bias_audit=bias_audit,
        bias_audit_html=bias_audit_html,
    )


class ModelHolder:
    """Holds the current :class:`LoadedModel`; a reload builds a new one, then swaps it in.

    Requests read ``holder.model`` once and keep that reference, so a swap never affects a
    request in flight; reloads are serialised by a lock.
    """

    def __init__(self, settings: ServingSettings, model: LoadedModel | None = None) -> None:
        self.settings = settings
        self._model = model
        self._lock = threading.Lock()

    @property
    def model(self) -> LoadedModel:
        """Return the current model (raises if none is loaded)."""
        current = self._model
        if current is None:
            raise ModelNotAvailableError(not_available_message(self.settings, "not loaded"))
        return current

    @property
    def loaded(self) -> bool:
        """Return whether a model is loaded."""
        return self._model is not None

    def reload(self) -> tuple[LoadedModel | None, LoadedModel]:
        """Load the configured model again and swap it in; return (previous, new)."""
        with self._lock:
            fresh = load_model(self.settings)
            previous, self._model = self._model, fresh
        return previous, fresh

    def describe(self) -> dict[str, Any]:
        """Return a short summary (name, version, alias) for logs and health checks."""
        m = self._model
        return {} if m is None else {"name": m.name, "version": m.version, "alias": m.alias}
