"""The trained model's portable form: a LightGBM booster, its calibration map and band thresholds.

Training writes these artifacts; serving (and the MLflow pyfunc wrapper) read them. Keeping the
format here, in ``features``, means loading a model never imports ``training``. Probabilities
are computed as ``calibration(sigmoid(raw))`` where ``raw`` is the booster's log-odds; SHAP
contributions are in raw log-odds (they do not add up to the calibrated probability).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from features.vocab import GRADES

FloatArray = npt.NDArray[np.float64]
BOOSTER_FILE: Final[str] = "booster.txt"
SCORING_FILE: Final[str] = "scoring.json"
MODEL_CARD_FILE: Final[str] = "model_card.md"


@dataclass(frozen=True)
class CalibrationMap:
    """A fitted calibration map on the booster's probability (isotonic or Platt sigmoid)."""

    method: Literal["isotonic", "sigmoid"]
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()
    a: float = 0.0
    b: float = 0.0

    def apply(self, probability: FloatArray) -> FloatArray:
        """Map uncalibrated probabilities to calibrated ones (same maths as scikit-learn)."""
        if self.method == "isotonic":
            return np.asarray(np.interp(probability, self.x, self.y), dtype=np.float64)
        return np.asarray(1.0 / (1.0 + np.exp(self.a * probability + self.b)), dtype=np.float64)


@dataclass(frozen=True)
class Bands:
    """Probability thresholds that turn a calibrated score into standard / medium / high."""

    medium: float
    high: float

    def band(self, probability: FloatArray) -> npt.NDArray[np.str_]:
        """Return the band name for each probability."""
        idx = (probability >= self.medium).astype(int) + (probability >= self.high).astype(int)
        return np.asarray(np.asarray(GRADES, dtype=np.str_)[idx], dtype=np.str_)


@dataclass(frozen=True)
class OutcomeContext:
    """What a probability means: the target's definition, its base rate, the range calibration saw.

    Training fills it; serving shows it beside every probability. ``supported_low`` and
    ``supported_high`` bound the probabilities that the calibration set backed with enough cases
    (``support_rule`` says how); a probability outside them is flagged. Models saved before this
    field existed load with the empty default (no base rate, the whole 0-1 range).
    """

    definition: str = ""
    base_rate: float | None = None
    supported_low: float = 0.0
    supported_high: float = 1.0
    support_rule: str = ""


@dataclass(frozen=True)
class ScoringSpec:
    """Everything besides the booster that scoring needs, saved as ``scoring.json``."""

    target: str
    feature_names: tuple[str, ...]
    calibration: CalibrationMap
    bands: Bands
    metadata: dict[str, Any] = field(default_factory=dict)
    context: OutcomeContext = field(default_factory=OutcomeContext)

    def to_json(self) -> str:
        """Serialise to JSON."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ScoringSpec:
        """Parse the JSON written by :meth:`to_json`."""
        raw = json.loads(text)
        cal = raw["calibration"]
        return cls(
            target=raw["target"],
            feature_names=tuple(raw["feature_names"]),
            calibration=CalibrationMap(
                method=cal["method"], x=tuple(cal["x"]), y=tuple(cal["y"]), a=cal["a"], b=cal["b"]
            ),
            bands=Bands(**raw["bands"]),
            metadata=dict(raw.get("metadata", {})),
            context=OutcomeContext(**raw.get("context", {})),
        )


@dataclass(frozen=True)
class Scores:
    """Scores for a batch of rows: raw log-odds, calibrated probability, band, contributions."""

    raw: FloatArray
    probability: FloatArray
    band: npt.NDArray[np.str_]
    contributions: FloatArray | None  # (n_rows, n_features); base value in ``base_value``
    base_value: FloatArray | None


class CalibratedScorer:
    """Scores feature rows with a booster, its calibration map and band thresholds."""

    def __init__(self, booster: lgb.Booster, spec: ScoringSpec) -> None:
        self.booster = booster
        self.spec = spec
        if tuple(booster.feature_name()) != spec.feature_names:
            raise ValueError("booster feature names differ from the scoring spec's feature list")

    @classmethod
    def load(cls, directory: Path) -> CalibratedScorer:
        """Load from a directory holding ``booster.txt`` and ``scoring.json``."""
        booster = lgb.Booster(model_file=str(directory / BOOSTER_FILE))
        spec = ScoringSpec.from_json((directory / SCORING_FILE).read_text())
        return cls(booster, spec)

    def save(self, directory: Path) -> list[Path]:
        """Write ``booster.txt`` and ``scoring.json`` to ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        booster_path, spec_path = directory / BOOSTER_FILE, directory / SCORING_FILE
        self.booster.save_model(str(booster_path))
        spec_path.write_text(self.spec.to_json())
        return [booster_path, spec_path]

    def score(self, rows: FloatArray, *, explain: bool = True, num_threads: int = 1) -> Scores:
        """Score a 2-D float array whose columns follow ``spec.feature_names``."""
        rows = np.ascontiguousarray(rows, dtype=np.float64)
        raw = np.asarray(self.booster.predict(rows, raw_score=True, num_threads=num_threads))
        probability = self.spec.calibration.apply(1.0 / (1.0 + np.exp(-raw)))
        contributions = base = None
        if explain:
            contrib = np.asarray(
                self.booster.predict(rows, pred_contrib=True, num_threads=num_threads)
            )
            contributions, base = contrib[:, :-1], contrib[:, -1]
        return Scores(raw, probability, self.spec.bands.band(probability), contributions, base)
