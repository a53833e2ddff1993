"""One sentence per model input about this case, in words a risk reviewer reads as evidence.

Which way the input pushes the estimate is added by whoever knows its contribution. Don't-know
and not-answered DASH answers are said as such when the answers are given, and never read as
'no'. A feature without a template (a new one) gets a plain sentence from its description.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

from features.dash import DASH, QUESTION_IDS
from features.engine.groups import dash_question
from features.engine.sentence_parts import Row, missing
from features.engine.sentence_templates import TEMPLATES
from features.engine.specs import FEATURES

__all__ = ["Row", "dash_answer_sentence", "missing", "sentence"]

ANSWER_WORDS: Final[dict[str, str]] = {
    "yes": "the victim answered yes",
    "no": "the victim answered no",
    "dont_know": "the victim said they did not know",
    "not_answered": "the question was not answered",
}
_NUMBER: Final[dict[str, int]] = {q: i for i, q in enumerate(QUESTION_IDS, start=1)}
_UNKNOWN = "there was no yes or no answer (don't know or not answered)"


def _num(value: float) -> str:
    return str(round(value)) if float(value).is_integer() else f"{value:.1f}"


def dash_answer_sentence(question_id: str, value: float, answer: str | None = None) -> str:
    """Return "Asked '<question>' (DASH question n), <the answer in words>"."""
    number = _NUMBER[question_id]
    if answer is None:
        answer = "unknown" if missing(value) else ("yes" if value >= 0.5 else "no")
    said = ANSWER_WORDS.get(answer, _UNKNOWN)
    return f"Asked '{DASH.question(question_id).text}' (DASH question {number}), {said}"


def _fallback(name: str, value: float) -> str:
    """Return a plain sentence from the registered description (a feature with no template)."""
    spec = next((f for f in FEATURES if f.name == name), None)
    what = spec.description if spec else "Another input"
    if missing(value):
        return f"{what}: not recorded"
    if spec is not None and spec.maximum == 1 and spec.dtype == "int64":
        return f"{what}: {'yes' if value >= 0.5 else 'no'}"
    return f"{what}: {_num(value)}"


def sentence(name: str, row: Row, answers: Mapping[str, str] | None = None) -> str:
    """Return the sentence about this case's value of feature ``name`` (no direction)."""
    value = float(row.get(name, math.nan))
    question = dash_question(name)
    if question is not None:
        return dash_answer_sentence(question, value, (answers or {}).get(question))
    template = TEMPLATES.get(name)
    if template is None or (missing(value) and name not in _NULLABLE):
        return _fallback(name, value)  # a never-missing feature sent missing: say so plainly
    return template(value, row)


_NULLABLE: Final[frozenset[str]] = frozenset(f.name for f in FEATURES if f.nullable)
