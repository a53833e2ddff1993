"""MLflow "models from code" entry point: a pyfunc that scores with :class:`CalibratedScorer`.

Training logs this file as the model's code, with ``booster`` and ``scoring`` artifacts; loading
it imports only mlflow, pandas and ``features.model_format.scoring`` (never ``training``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightgbm as lgb
import mlflow
import numpy as np
import pandas as pd
from mlflow.pyfunc.model import PythonModel, PythonModelContext

from features.model_format.scoring import CalibratedScorer, ScoringSpec

OUTPUT_COLUMNS: tuple[str, ...] = ("probability", "band", "raw_score")


class SecondLookModel(PythonModel):
    """Calibrated risk probability, band and raw log-odds for rows of model features."""

    def __init__(self) -> None:
        self.scorer: CalibratedScorer | None = None

    def load_context(self, context: PythonModelContext) -> None:
        """Build the scorer from the ``booster`` and ``scoring`` artifacts."""
        booster = lgb.Booster(model_file=str(context.artifacts["booster"]))
        spec = ScoringSpec.from_json(Path(context.artifacts["scoring"]).read_text())
        self.scorer = CalibratedScorer(booster, spec)

    def predict(
        self,
        context: PythonModelContext,
        model_input: pd.DataFrame,
        params: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Return probability, band and raw score for each row (columns in the spec's order)."""
        if self.scorer is None:
            raise RuntimeError("model context was not loaded")
        frame = pd.DataFrame(model_input)
        rows = frame.loc[:, list(self.scorer.spec.feature_names)].to_numpy(dtype=np.float64)
        scores = self.scorer.score(rows, explain=False)
        return pd.DataFrame(
            {"probability": scores.probability, "band": scores.band, "raw_score": scores.raw},
            index=frame.index,
        )


mlflow.models.set_model(SecondLookModel())
