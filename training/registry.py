"""Registry promotion: the champion alias moves only for a better, calibrated model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from training.settings import TrainingSettings

Alias = Literal["champion", "challenger"]
AUC_KEY, ECE_KEY = "model_roc_auc", "model_ece"
CHAMPION_RULE = (
    "calibrated if the test ECE is at most {max_ece}, or at most the 95th percentile of the ECE "
    "a perfectly calibrated model shows by chance (outcomes drawn from its own probabilities on "
    "the same test cases, its calibration map refitted on outcomes drawn for the calibration "
    "period, scaled for repeat assessments of one victim); champion if calibrated and either "
    "no champion exists or its test AUC is higher than the champion's and its ECE at most "
    "the champion's + {margin}; otherwise challenger"
)


@dataclass(frozen=True)
class AliasDecision:
    """Which alias a new model version gets, and why."""

    alias: Alias
    reason: str


def _calibration_verdict(ece: float, max_ece: float, noise: float) -> tuple[bool, str]:
    """Return whether the ECE passes (absolute limit or sampling noise) and why, in words."""
    if ece <= max_ece:
        return True, f"ECE {ece:.4f} <= {max_ece:.4f}"
    if ece <= noise:
        return True, (
            f"ECE {ece:.4f} is above {max_ece:.4f} but within sampling noise (a perfectly "
            f"calibrated model shows up to {noise:.4f} on these test cases, 95th percentile)"
        )
    return False, (
        f"ECE {ece:.4f} exceeds the limit {max_ece:.4f} and the sampling noise of a perfectly "
        f"calibrated model on these test cases ({noise:.4f}, 95th percentile)"
    )


def decide_alias(
    new_auc: float,
    new_ece: float,
    champion: tuple[float, float] | None,
    max_ece: float = 0.02,
    ece_margin: float = 0.005,
    ece_noise: float = 0.0,
) -> AliasDecision:
    """Decide champion or challenger from test AUC and ECE (``champion`` = its (auc, ece)).

    The new model is calibrated if its ECE is at most ``max_ece`` or at most ``ece_noise``
    (the ECE a perfectly calibrated model reaches by chance on the same cases). It becomes
    champion if calibrated and, when a champion exists, its AUC is higher and its ECE is not
    worse by more than ``ece_margin``.
    """
    calibrated, why = _calibration_verdict(new_ece, max_ece, ece_noise)
    if not calibrated:
        return AliasDecision("challenger", why)
    if champion is None:
        return AliasDecision("champion", f"first calibrated model: {why}")
    old_auc, old_ece = champion
    if new_auc <= old_auc:
        return AliasDecision(
            "challenger", f"test AUC {new_auc:.4f} does not beat the champion's {old_auc:.4f}"
        )
    if new_ece > old_ece + ece_margin:
        return AliasDecision(
            "challenger",
            f"ECE {new_ece:.4f} is worse than the champion's {old_ece:.4f} by more than "
            f"{ece_margin:.4f}",
        )
    return AliasDecision(
        "champion",
        f"test AUC {new_auc:.4f} beats the champion's {old_auc:.4f} and ECE {new_ece:.4f} "
        f"is within {ece_margin:.4f} of its {old_ece:.4f}",
    )


def champion_metrics(
    client: MlflowClient, model_name: str, auc_key: str, ece_key: str
) -> tuple[float, float] | None:
    """Return the current champion's (test AUC, ECE) from its run, or None if there is none."""
    try:
        version = client.get_model_version_by_alias(model_name, "champion")
    except MlflowException:
        return None
    if version.run_id is None:
        return None
    metrics = client.get_run(version.run_id).data.metrics
    return float(metrics[auc_key]), float(metrics[ece_key])


def apply_alias(
    client: MlflowClient, model_name: str, version: str, decision: AliasDecision
) -> None:
    """Point the decided alias at ``version`` and tag the version with the reason."""
    client.set_registered_model_alias(model_name, decision.alias, version)
    client.set_model_version_tag(model_name, version, "alias_decision", decision.alias)
    client.set_model_version_tag(model_name, version, "alias_reason", decision.reason)


def promote(
    mlflow_client: MlflowClient,
    name: str,
    version: str,
    model: dict[str, float],
    settings: TrainingSettings,
) -> tuple[AliasDecision, dict[str, Any]]:
    """Decide and apply the alias for a new version; return it with a record of the inputs."""
    current = champion_metrics(mlflow_client, name, AUC_KEY, ECE_KEY)
    noise = model.get("ece_null_q95", 0.0)
    decision = decide_alias(
        model["roc_auc"],
        model["ece"],
        current,
        settings.max_champion_ece,
        settings.ece_margin,
        noise,
    )
    apply_alias(mlflow_client, name, version, decision)
    record = {
        "rule": CHAMPION_RULE.format(max_ece=settings.max_champion_ece, margin=settings.ece_margin),
        "model_name": name,
        "version": version,
        "test_auc": model["roc_auc"],
        "ece": model["ece"],
        "ece_null_q95": noise,
        "champion_before": None if current is None else {"test_auc": current[0], "ece": current[1]},
        "alias": decision.alias,
        "reason": decision.reason,
    }
    return decision, record
