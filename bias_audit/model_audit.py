"""Audit a registered model on a cohort and attach the report to the model's MLflow run.

``run_model_audit`` is what ``secondlook audit`` calls: it audits the statutory grade, the
officer grade and the model's score columns at their operating thresholds, writes
``audit_report.html`` and ``audit_report.json``, and logs both under ``audit/`` in the run,
where the scoring service finds them (``GET /v1/audit``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bias_audit.cohort import GROUPS, run_cohort_audit
from bias_audit.report import ARTIFACT_DIR, attach_to_mlflow, write_report
from bias_audit.result import AuditResult
from bias_audit.spec import AuditConfig
from features.cohort_frames import CohortFrames
from features.labels import PRIMARY_LABEL


@dataclass(frozen=True)
class ModelAuditOutput:
    """The audit, where its files were written and, if attached, the MLflow run and path."""

    result: AuditResult
    paths: dict[str, Path]
    run_id: str | None
    artifact_uri: str | None


def _client(tracking_uri: str | None) -> Any:
    from mlflow.tracking import MlflowClient  # heavy; only when attaching

    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def registered_model_run(
    name: str, ref: str = "champion", tracking_uri: str | None = None
) -> dict[str, str]:
    """Return ``name``, ``version`` and ``run_id`` of a registered model (alias or version)."""
    client = _client(tracking_uri)
    if ref.isdigit():
        version = client.get_model_version(name, ref)
    else:
        version = client.get_model_version_by_alias(name, ref)
    if not version.run_id:
        raise ValueError(f"model {name!r} version {version.version} has no MLflow run")
    return {"name": name, "version": str(version.version), "run_id": str(version.run_id)}


def run_model_audit(
    tables: Mapping[str, pd.DataFrame],
    model_scores: pd.DataFrame,
    thresholds: Mapping[str, float],
    out_dir: Path,
    *,
    run_id: str | None = None,
    tracking_uri: str | None = None,
    config: AuditConfig | None = None,
    observed_until: pd.Timestamp | str | None = None,
    groups: Sequence[str] = GROUPS,
    audited: Mapping[str, Any] | None = None,
    since: pd.Timestamp | str | None = None,
    outcome: str = PRIMARY_LABEL,
    frames: CohortFrames | None = None,
) -> ModelAuditOutput:
    """Audit a model on a cohort, write the report and attach it to ``run_id`` if given.

    ``model_scores`` has ``assessment_id`` and one probability column per key of
    ``thresholds`` (column -> operating threshold; flagged high at or above it).
    ``audited`` (e.g. the model's name and version) is stored in the JSON as ``audited``.
    ``since`` audits only assessments completed at or after it (the model's test period);
    ``outcome`` is the label the model predicts (its target); ``frames`` the cohort's grades and
    features when already built.
    Raises :class:`bias_audit.errors.AuditInputError` naming a missing or unusable column.
    """
    config = config or AuditConfig(person_column="victim_id")
    scores = model_scores[["assessment_id", *thresholds]] if len(thresholds) else None
    result = run_cohort_audit(
        tables, scores, thresholds, config, observed_until, groups, since, outcome, frames
    )
    result.audited = {
        **dict(audited or {}),
        "assessments_since": None if since is None else str(pd.Timestamp(since)),
        "run_id": run_id,
        "thresholds": {k: float(v) for k, v in thresholds.items()},
    }
    paths = write_report(result, Path(out_dir))
    if run_id is None:
        return ModelAuditOutput(result, paths, None, None)
    attach_to_mlflow(paths, run_id, _client(tracking_uri))
    return ModelAuditOutput(result, paths, run_id, f"runs:/{run_id}/{ARTIFACT_DIR}")
