"""Where models are tracked by default: MLflow's SQLite store inside the ``mlruns/`` folder."""

from __future__ import annotations

from pathlib import Path
from typing import Final

DEFAULT_MLRUNS_DIR: Final[Path] = Path("mlruns")


def local_tracking_uri(mlruns_dir: Path, override: str | None = None) -> str:
    """Return ``override`` (MLFLOW_TRACKING_URI) if set, else the SQLite store in ``mlruns_dir``."""
    return override or f"sqlite:///{mlruns_dir.resolve() / 'mlflow.db'}"
