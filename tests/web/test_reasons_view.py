"""The reasons chart and the probability in words: no text box overlaps another, ticks print
their exact values, thresholds are never rounded into a contradiction."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serving.schemas_out import ModelOut, OutcomeOut
from serving.web.charts import (
    BAR_H,
    BOLD_W,
    CHAR_W,
    LABEL_LINE,
    NARROW,
    WIDTH,
    Scale,
    Step,
    percent_ticks,
    step_decimals,
    waterfall,
)
from serving.web.reasons_view import build_reasons, distinct_percents, in_words

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _boxes(steps: list[Step], width: int) -> tuple[list[Box], list[Box]]:
    """Return the (generously estimated) text boxes and the bar boxes of a laid-out chart."""
    w = waterfall(steps, width)
    texts, bars = [], []
    for b in w.bars:
        for i, line in enumerate(b.lines):
            top = b.y + i * LABEL_LINE
            texts.append((w.plot_left, top, w.plot_left + len(line) * BOLD_W, top + LABEL_LINE))
        value_w = len(b.value_text) * CHAR_W
        texts.append((w.value_x - value_w, b.bar_y, w.value_x, b.bar_y + BAR_H))
        bars.append((b.x, b.bar_y, b.x + b.width, b.bar_y + BAR_H))
        assert b.x >= w.plot_left and b.x + b.width <= w.plot_right  # bars stay in the plot
    for t in w.ticks:
        half = len(t.label) * CHAR_W / 2
        x0 = {"start": t.x, "end": t.x - 2 * half}.get(t.anchor, t.x - half)
        texts.append((x0, w.axis_y + 6, x0 + 2 * half, w.axis_y + 22))
        assert x0 >= 0 and x0 + 2 * half <= width
    return texts, bars


labels = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=120)


@given(
    st.lists(st.tuples(labels, st.floats(-0.2, 0.2)), min_size=1, max_size=9),
    st.floats(0.001, 0.6),
    st.sampled_from([WIDTH, NARROW]),
)
def test_no_text_overlaps_another_text_or_a_bar(
    rows: list[tuple[str, float]], start: float, width: int
) -> None:
    steps, p = [Step("Average inputs", start, start, "total")], start
    for label, change in rows:
        end = min(max(p + change, 0.0), 1.0)
        steps.append(Step(label, p, end))
        p = end
    steps.append(Step("This case", p, p, "total"))
    texts, bars = _boxes(steps, width)
    for i, a in enumerate(texts):
        assert a[2] <= width + 0.5, a
        for b in texts[i + 1 :]:
            assert not _overlap(a, b), (a, b)
        for bar in bars:
            assert not _overlap(a, bar), (a, bar)


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0.0, 0.2, ["0%", "5%", "10%", "15%", "20%"]),
        (0.01, 0.12, ["2.5%", "5.0%", "7.5%", "10.0%"]),
        (0.03, 0.042, ["3.00%", "3.25%", "3.50%", "3.75%", "4.00%"]),
    ],
)
def test_ticks_print_their_exact_values(lo: float, hi: float, expected: list[str]) -> None:
    ticks = percent_ticks(lo, hi, Scale(lo, hi, pad=0.0), 5)
    assert [t.label for t in ticks] == expected  # 3.75 is never printed as 3.8
    xs = [t.x for t in ticks]
    assert xs == sorted(xs)


@given(st.sampled_from([1, 2, 2.5, 5]), st.integers(-4, 2))
def test_step_decimals_print_every_multiple_exactly(mult: float, power: int) -> None:
    step = mult * 10.0**power
    decimals = step_decimals(step)
    for k in range(1, 7):
        assert float(f"{k * step:.{decimals}f}") == pytest.approx(k * step, rel=1e-9)


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.24, "about 1 in 4"),
        (0.111, "about 1 in 9"),
        (0.0384, "about 1 in 26"),
        (0.5, "about 1 in 2"),
        (0.0004, "fewer than 1 in 1,000"),
        (0.7, "about 7 in 10"),
    ],
)
def test_probability_in_words(p: float, words: str) -> None:
    assert in_words(p) == words


@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=3))
def test_shown_percentages_keep_the_order_of_the_numbers(values: list[float]) -> None:
    shown = [float(t.rstrip("%")) for t in distinct_percents(values)]
    for i in range(len(values)):
        for j in range(len(values)):
            if values[i] < values[j] and not math.isclose(values[i], values[j], abs_tol=1e-9):
                assert shown[i] < shown[j]


def test_a_case_just_below_the_threshold_is_not_shown_at_it() -> None:
    case, high = distinct_percents([0.03839, 0.0384])
    assert case != high and float(case.rstrip("%")) < float(high.rstrip("%"))


def _model(**changes: object) -> ModelOut:
    outcome = OutcomeOut(
        definition="a repeat violent incident",
        base_rate=0.11,
        supported_low=0.01,
        supported_high=0.5,
        support_rule="calibration bins with at least 50 cases",
        within_supported_range=True,
    )
    base = {
        "name": "m",
        "version": "1",
        "probability": 0.24,
        "band": "medium",
        "band_thresholds": {"medium": 0.2, "high": 0.4},
        "outcome": outcome,
        "raw_score": 0.0,
        "base_value": 0.0,
        "base_probability": 0.11,
        "contributions": [],
        "remaining_log_odds": 0.0,
        "remaining_features": 0,
    }
    return ModelOut.model_validate({**base, **changes})


def test_the_probability_reads_as_a_chance_beside_an_average_case() -> None:
    r = build_reasons(_model())
    assert r.headline == "Estimated chance of a repeat violent incident within a year"
    assert r.odds == "about 1 in 4; an average case is about 1 in 9"
    assert r.support_note is None and r.thresholds == [("medium", "20.0%"), ("high", "40.0%")]
    assert r.wide is None  # no groups stored: the page says so and keeps the table


def test_no_base_rate_and_an_unsupported_probability_are_said_plainly() -> None:
    outcome = _model().outcome
    assert outcome is not None
    bare = outcome.model_copy(
        update={"base_rate": None, "definition": "", "within_supported_range": False}
    )
    r = build_reasons(_model(outcome=bare, probability=0.62))
    assert r.headline == "Estimated chance of the outcome this model predicts"
    assert r.odds == "about 5 in 8" and "average" not in r.odds
    assert r.support_note and "1.0% to 50.0%" in r.support_note
