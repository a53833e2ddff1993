"""The model page: the model card rendered safely and the training comparison with DASH."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from markdown_it import MarkdownIt
from markupsafe import Markup

from serving.api.model import model_info
from serving.model_loader import LoadedModel
from serving.schemas_out import ModelInfo

SCORER_LABELS: Final[dict[str, str]] = {
    "model": "Second Look model",
    "dash_count": "DASH yes-count",
    "statutory_grade": "Statutory grade",
    "officer_grade": "Officer's grade",
    "logistic_all": "Logistic regression",
    "oracle": "Oracle (synthetic truth)",
}
LOWER_IS_BETTER: Final[tuple[str, ...]] = ("brier", "ece", "npr", "negative_prediction", "loss")


@dataclass(frozen=True)
class MetricRow:
    """One metric across scorers, with the model's difference from the DASH count."""

    name: str
    values: list[float | None]
    versus_dash: float | None
    lower_is_better: bool


@dataclass(frozen=True)
class ModelView:
    """Everything the model page shows."""

    info: ModelInfo
    card_html: Markup
    scorers: list[tuple[str, str]]
    rows: list[MetricRow]
    run_metrics: dict[str, float]


def render_markdown(text: str, shift: int = 2) -> Markup:
    """Render Markdown to HTML with raw HTML escaped and unsafe links refused.

    Headings move down ``shift`` levels (a card's ``#`` becomes ``h3``) to sit under the page's.
    """
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"
    html = md.renderer.render(tokens, md.options, {})
    return Markup(html)  # safe: markdown-it escapes all raw HTML here


def build_model_view(model: LoadedModel) -> ModelView:
    """Describe the loaded model for the page."""
    info = model_info(model)
    scorers = [(s, SCORER_LABELS.get(s, s)) for s in SCORER_LABELS if s in info.metrics]
    names = sorted({k for s, _ in scorers for k in info.metrics[s]})
    rows = [
        MetricRow(
            name=n,
            values=[info.metrics[s].get(n) for s, _ in scorers],
            versus_dash=info.versus_dash.get(n),
            lower_is_better=any(t in n for t in LOWER_IS_BETTER),
        )
        for n in names
    ]
    card = render_markdown(info.model_card)
    return ModelView(info, card, scorers, rows, info.metrics.get("run", {}))
