"""What the report shows, in words: metric names, group labels, sections, statements.

The JSON keeps codes (for machines); the page shows the words from ``features.group_labels``.
Every metric is named in full everywhere; its abbreviation appears once, in the glossary.
"""

from __future__ import annotations

import re
from typing import Any, Final

from bias_audit.intervals import INTERVAL_NAMES
from bias_audit.plots import Series, funnel_figure, rates_figure, reliability_figure
from features.group_labels import column_words, value_words

# key -> (name, abbreviation or "", what it measures)
METRICS: Final[dict[str, tuple[str, str, str]]] = {
    "base_rate": ("Outcome rate", "", "share of assessments followed by the outcome"),
    "selection_rate": ("Share graded high", "", "share of assessments flagged high"),
    "fpr": ("False positive rate", "FPR", "share of assessments without the outcome flagged high"),
    "fnr": ("False negative rate", "FNR", "share of assessments with the outcome not flagged high"),
    "precision": ("Precision", "", "share of assessments flagged high that had the outcome"),
    "auc": (
        "Area under the ROC curve",
        "AUC",
        "chance that an assessment with the outcome scores above one without it (0.5: chance)",
    ),
    "ece": (
        "Expected calibration error",
        "ECE",
        "mean gap between predicted and observed rates over ten equal-width bins",
    ),
    "calibration_intercept": (
        "Calibration-in-the-large",
        "",
        "logistic intercept with the predicted logit as offset; 0 when right on average, "
        "above 0 when risk is underestimated",
    ),
    "calibration_slope": (
        "Calibration slope",
        "",
        "logistic slope on the predicted logit; 1 when right, below 1 when predictions are "
        "too extreme",
    ),
}
RATE_TABLE: Final[tuple[str, ...]] = ("selection_rate", "fpr", "fnr", "precision", "auc")
PROBABILITY_TABLE: Final[tuple[str, ...]] = ("ece", "calibration_intercept", "calibration_slope")
FIGURE_RATES: Final[tuple[str, ...]] = ("selection_rate", "fpr", "fnr")


def grouping_words(columns: list[str] | tuple[str, ...]) -> str:
    """Return a grouping's name in words (``Sex × Ethnicity``)."""
    return " × ".join(column_words(c) for c in columns)


def group_words(columns: list[str] | tuple[str, ...], label: str) -> str:
    """Return a group's label in words (``Female, White``)."""
    values = label.split(" | ") if len(columns) > 1 else [label]
    return ", ".join(value_words(c, v) for c, v in zip(columns, values, strict=True))


def slug(text: str) -> str:
    """Return an id-safe slug."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def audited_items(audited: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Return what was audited as (name, value) pairs; empty values and nested maps left out."""
    names = {
        "model_name": "Model",
        "model_version": "version",
        "run_id": "MLflow run",
        "assessments_since": "assessments completed since",
    }
    items = [
        (names.get(k, k.replace("_", " ")), str(v))
        for k, v in (audited or {}).items()
        if v not in (None, "") and not isinstance(v, dict)
    ]
    for column, cut in ((audited or {}).get("thresholds") or {}).items():
        items.append((f"{column} flagged high at", f"{cut:.3f} or above"))
    return items


def interval_statement(settings: dict[str, Any]) -> str:
    """Return which interval each figure carries, in words."""
    level = f"{settings['ci_level']:.0%}"
    return (
        f"Intervals are {level} {INTERVAL_NAMES['bootstrap']}s ({settings['n_boot']:,} Poisson "
        f"draws, seed {settings['seed']}), except where marked †: a rate that rests on fewer "
        f"than {settings['min_events']} events on either side (numerator, or denominator less "
        f"numerator) carries the {level} Wilson score interval instead, because a bootstrap "
        "cannot move a rate stuck at 0 or 1 and would print a zero-width interval."
    )


def _rows(block: dict[str, Any]) -> list[dict[str, Any]]:
    columns = block["columns"]
    return [
        {
            **g,
            "words": group_words(columns, g["label"]),
            "reference": g["label"] == block["reference"],
        }
        for g in block["groups"]
    ]


def _figures(blocks: list[dict[str, Any]], words: str) -> list[dict[str, str]]:
    shown = [g for g in blocks[0]["groups"] if not g["suppressed"]]
    if not shown:
        return []
    columns, labels = blocks[0]["columns"], [g["label"] for g in shown]
    names = [group_words(columns, label) for label in labels]
    panels = {}
    for metric in FIGURE_RATES:
        series = []
        for block in blocks:
            by_label = {g["label"]: g for g in block["groups"] if not g["suppressed"]}
            values = [by_label[label]["metrics"].get(metric) for label in labels]
            triples = [(v["estimate"], v["low"], v["high"]) if v else None for v in values]
            series.append(Series(block["scorer"], triples))
        panels[METRICS[metric][0]] = series
    reference = group_words(columns, blocks[0]["reference"])
    alt = f"Share graded high, false positive and false negative rates by {words.lower()}"
    out = [{"svg": rates_figure(names, panels, reference, alt), "caption": alt}]
    for block in blocks:
        curves = {
            group_words(columns, g["label"]): g["calibration"]
            for g in block["groups"]
            if not g["suppressed"] and g.get("calibration")
        }
        if curves:
            alt = f"Reliability of {block['scorer']} by {words.lower()}: observed against predicted"
            out.append({"svg": reliability_figure(curves, alt), "caption": alt})
    return out


def sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one section per grouping: a table per scorer; figures for one-column groupings."""
    probability = {s["name"] for s in data["scorers"] if s["kind"] == "probability"}
    order: dict[str, list[dict[str, Any]]] = {}
    for block in data["groups"]:
        order.setdefault(block["grouping"], []).append(block)
    out = []
    for blocks in order.values():
        words = grouping_words(blocks[0]["columns"])
        tables = [
            {
                **b,
                "rows": _rows(b),
                "words": words,
                "shown": RATE_TABLE + (PROBABILITY_TABLE if b["scorer"] in probability else ()),
            }
            for b in blocks
        ]
        figures = _figures(blocks, words) if len(blocks[0]["columns"]) == 1 else []
        out.append(
            {
                "id": f"by-{slug(words)}",
                "title": f"By {words.lower()}",
                "tables": tables,
                "figures": figures,
            }
        )
    return out


def headline(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the headline rows: each probability scorer's discrimination and calibration."""
    probability = {s["name"] for s in data["scorers"] if s["kind"] == "probability"}
    rows = []
    for block in data["groups"]:
        if block["scorer"] not in probability or len(block["columns"]) != 1:
            continue
        for row in _rows(block):
            rows.append(
                {**row, "scorer": block["scorer"], "grouping": grouping_words(block["columns"])}
            )
    return rows


def officer_figure(officer: dict[str, Any]) -> dict[str, str] | None:
    """Return the funnel figure of the shown officers, if any."""
    if not officer.get("officers"):
        return None
    alt = "Officers' observed minus expected high-grade rate against their number of assessments"
    return {"svg": funnel_figure(officer["officers"], officer["limits"], alt), "caption": alt}
