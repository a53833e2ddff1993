"""The case page's model reasons: the probability in words, grouped reasons and their chart.

A reviewer sees probability, not log-odds: "estimated chance of ...: 24% (about 1 in 4; an
average case is about 1 in 9)", the band with the exact thresholds applied, and the top groups
of reasons as a probability waterfall, each group expandable to its sentences. The log-odds
stay in the analyst table.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from serving.schemas_out import ContributionOut, GroupOut, ModelOut
from serving.web.charts import NARROW, WIDTH, Step, Waterfall, points, waterfall

SHOWN_GROUPS: Final[int] = 5  # groups drawn on the case page; the rest are "everything else"
NO_DEFINITION: Final[str] = "the outcome this model predicts"


@dataclass(frozen=True)
class FeatureReason:
    """One input's sentence about this case and its push on the probability."""

    sentence: str
    effect: str
    direction: str


@dataclass(frozen=True)
class GroupReason:
    """A group of reasons: its label, total push and its inputs' sentences."""

    label: str
    effect: str
    direction: str
    features: list[FeatureReason]
    more: str | None


@dataclass(frozen=True)
class Reasons:
    """Everything the model-reasons part of the case page shows."""

    headline: str
    odds: str
    support_note: str | None
    thresholds: list[tuple[str, str]]
    probability_text: str
    groups: list[GroupReason]
    wide: Waterfall | None
    narrow: Waterfall | None


def in_words(p: float) -> str:
    """Return a probability as "about 1 in 4" (small whole numbers a reader can picture)."""
    if p <= 0:
        return "close to none"
    if p < 0.001:
        return "fewer than 1 in 1,000"
    if p < 0.1:
        return f"about 1 in {round(1 / p):,}"
    if p > 0.95:
        return "almost all"
    near = Fraction(p).limit_denominator(10)
    return f"about {near.numerator} in {near.denominator}"


def distinct_percents(values: list[float]) -> list[str]:
    """Format probabilities as percentages with the fewest decimals that keep their order.

    A 3.8% case is never shown beside "high from 3.8%" when the threshold is 3.84%.
    """
    for decimals in range(1, 6):
        shown = [round(v * 100, decimals) for v in values]
        if all(
            (a < b) == (x < y) and (a == b) == (x == y)
            for i, (a, x) in enumerate(zip(shown, values, strict=True))
            for b, y in zip(shown[i + 1 :], values[i + 1 :], strict=True)
        ):
            return [f"{v:.{decimals}f}%" for v in shown]
    return [f"{v * 100:.6f}%" for v in values]


def _headline(m: ModelOut) -> tuple[str, str, str | None]:
    ctx = m.outcome
    definition = (ctx.definition if ctx else "") or NO_DEFINITION
    said = definition == NO_DEFINITION or "year" in definition or "days" in definition
    within = "" if said else " within a year"
    odds = in_words(m.probability)
    if ctx and ctx.base_rate is not None:
        odds += f"; an average case is {in_words(ctx.base_rate)}"
    note = None
    if ctx and not ctx.within_supported_range:
        rule = f" ({ctx.support_rule})" if ctx.support_rule else ""
        note = (
            f"This probability is outside the range the calibration backed with enough cases, "
            f"{ctx.supported_low:.1%} to {ctx.supported_high:.1%}{rule}: treat it as rough."
        )
    return f"Estimated chance of {definition}{within}", odds, note


def _feature(c: ContributionOut) -> FeatureReason:
    return FeatureReason(c.sentence or c.description, points(c.probability_effect), c.direction)


def _group(g: GroupOut) -> GroupReason:
    more = None
    if g.remaining_features:
        rest = g.probability_effect - sum(c.probability_effect for c in g.features)
        more = f"{g.remaining_features} other inputs in this group together: {points(rest)}"
    return GroupReason(
        g.label, points(g.probability_effect), g.direction, [_feature(c) for c in g.features], more
    )


def _steps(m: ModelOut, shown: list[GroupOut], rest: float) -> list[Step]:
    start = m.base_probability if m.base_probability is not None else m.probability
    steps = [Step(f"Average inputs: {start:.1%}", start, start, "total")]
    for g in shown:
        steps.append(Step(g.label, start, start + g.probability_effect))
        start += g.probability_effect
    if len(m.groups) > len(shown):
        n = len(m.groups) - len(shown)
        steps.append(Step(f"Everything else ({n} smaller groups)", start, start + rest))
    steps.append(Step(f"This case: {m.probability:.1%}", m.probability, m.probability, "total"))
    return steps


def build_reasons(m: ModelOut) -> Reasons:
    """Build the model-reasons view of a stored response (older ones may have no groups)."""
    headline, odds, note = _headline(m)
    th = m.band_thresholds
    names = [k for k in ("medium", "high") if k in th]
    texts = distinct_percents([m.probability, *(th[k] for k in names)])
    shown = m.groups[:SHOWN_GROUPS]
    rest = sum(g.probability_effect for g in m.groups[SHOWN_GROUPS:])
    steps = _steps(m, shown, rest) if m.groups else []
    return Reasons(
        headline=headline,
        odds=odds,
        support_note=note,
        thresholds=list(zip(names, texts[1:], strict=True)),
        probability_text=texts[0],
        groups=[_group(g) for g in shown],
        wide=waterfall(steps, WIDTH) if steps else None,
        narrow=waterfall(steps, NARROW) if steps else None,
    )
