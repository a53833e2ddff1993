"""DASH questionnaire definition (loaded from data) and answer encoding."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final, Literal, get_args

import numpy as np
import numpy.typing as npt
import yaml

Answer = Literal["yes", "no", "dont_know", "not_answered"]
ANSWERS: Final[tuple[Answer, ...]] = get_args(Answer)
UNKNOWN_ANSWERS: Final[frozenset[str]] = frozenset({"dont_know", "not_answered"})
DEFAULT_INSTRUMENT: Final[str] = "dash_police_27"


@dataclass(frozen=True)
class Question:
    """One checklist item: its id, section, risk-factor family and wording."""

    id: str
    section: str
    family: str
    text: str


@dataclass(frozen=True)
class Instrument:
    """A risk checklist: an ordered set of yes/no/unknown questions."""

    id: str
    name: str
    source: str
    answers: tuple[str, ...]
    questions: tuple[Question, ...]

    @property
    def question_ids(self) -> tuple[str, ...]:
        """Return the question ids in checklist order."""
        return tuple(q.id for q in self.questions)

    def question(self, question_id: str) -> Question:
        """Return the question with this id."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"{self.id} has no question {question_id!r}")


def _parse_instrument(raw: dict[str, Any]) -> Instrument:
    questions = tuple(Question(**q) for q in raw["questions"])
    return Instrument(
        id=raw["id"],
        name=raw["name"],
        source=raw["source"],
        answers=tuple(raw["answers"]),
        questions=questions,
    )


@cache
def load_instrument(instrument_id: str = DEFAULT_INSTRUMENT) -> Instrument:
    """Load a questionnaire definition shipped under ``features/instruments``."""
    text = resources.files("features").joinpath(f"instruments/{instrument_id}.yaml").read_text()
    return _parse_instrument(yaml.safe_load(text))


DASH: Final[Instrument] = load_instrument()
QUESTION_IDS: Final[tuple[str, ...]] = DASH.question_ids


def encode_answers(answers: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Encode answers as yes=1, no=0 and don't-know / not-answered as NaN (never 'no')."""
    arr = np.asarray(answers, dtype=object)
    out = np.full(arr.shape, np.nan)
    out[arr == "yes"] = 1.0
    out[arr == "no"] = 0.0
    return out


def count_answers(answers: npt.ArrayLike, value: str) -> npt.NDArray[np.int64]:
    """Count answers equal to ``value`` along the last axis (rows are assessments)."""
    arr = np.asarray(answers, dtype=object)
    return np.asarray((arr == value).sum(axis=-1), dtype=np.int64)
