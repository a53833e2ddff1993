"""Training settings from the environment (pydantic-settings); nothing happens at import time."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from features.model_format.local_store import DEFAULT_MLRUNS_DIR, local_tracking_uri


class TrainingSettings(BaseSettings):
    """Where MLflow lives, how the model is fitted and when the champion alias moves."""

    model_config = SettingsConfigDict(
        env_prefix="SECONDLOOK_TRAIN_", extra="ignore", populate_by_name=True
    )

    mlruns_dir: Path = DEFAULT_MLRUNS_DIR
    tracking_uri: str | None = Field(default=None, validation_alias="MLFLOW_TRACKING_URI")
    experiment_name: str = "secondlook"
    model_name_prefix: str = "secondlook"
    seed: int = 0
    num_threads: int = 2
    train_share: float = 0.6
    calibration_share: float = 0.2
    early_stopping_share: float = 0.2
    learning_rate: float = 0.05
    max_trees: int = 600
    early_stopping_rounds: int = 50
    capacity_grid: tuple[tuple[int, int], ...] = ((4, 2), (8, 3), (16, 4), (31, 5), (63, -1))
    capacity_auc_tolerance: float = 0.005
    bootstrap_draws: int = 500
    shap_sample: int = 2000
    timing_rows: int = 2000
    max_champion_ece: float = 0.02
    ece_margin: float = 0.005
    tune_trials: int = 0

    def resolved_tracking_uri(self) -> str:
        """Return MLFLOW_TRACKING_URI if set, else a SQLite file inside ``mlruns_dir``."""
        return local_tracking_uri(self.mlruns_dir, self.tracking_uri)

    def artifact_root(self) -> str | None:
        """Return the artifact location for new experiments: absolute, under ``mlruns_dir``.

        ``None`` for a remote tracking server, which decides where artifacts go.
        """
        if self.resolved_tracking_uri().startswith(("http://", "https://", "databricks")):
            return None
        return (self.mlruns_dir.resolve() / "artifacts").as_uri()


@cache
def get_settings() -> TrainingSettings:
    """Return the process-wide settings, read once from the environment."""
    return TrainingSettings()
