"""The model page: what is served and why, and the comparison with DASH in words.

The model card is shown with its Fairness section filled from the attached audit, beside the
plots it cites (read from the model's run, cached per version).
"""

from __future__ import annotations

import base64
import logging
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from serving.api.model import model_info
from serving.model_loader import LoadedModel
from serving.schemas_out import ModelInfo
from serving.web.fairness import fill_fairness
from serving.web.metric_rows import MetricRow, metric_rows, scorer_columns

log = logging.getLogger("serving.web.model_view")
PLOTS: tuple[tuple[str, str], ...] = (
    ("report/calibration.png", "Calibration on the test period: predicted against observed"),
    ("report/shap_beeswarm.png", "How each input pushes the score across test cases (SHAP)"),
)


@dataclass(frozen=True)
class RegistryFacts:
    """What the registry says about the served version: its alias decision and the plots."""

    decision: str | None = None
    reason: str | None = None
    plots: list[tuple[str, str]] = field(default_factory=list)  # (caption, data: URI)


@dataclass(frozen=True)
class ModelView:
    """Everything the model page shows."""

    info: ModelInfo
    card_html: Markup
    scorers: list[tuple[str, str]]
    rows: list[MetricRow]
    appendix: list[MetricRow]
    facts: RegistryFacts
    challenger: bool
    bands: list[tuple[str, str]]


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


def _plot(client: MlflowClient, run_id: str, path: str) -> str | None:
    with tempfile.TemporaryDirectory(prefix="secondlook-plot-") as tmp:
        local = Path(client.download_artifacts(run_id, path, tmp))
        data = local.read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


@lru_cache(maxsize=8)
def registry_facts(tracking_uri: str, name: str, version: str, run_id: str | None) -> RegistryFacts:
    """Return the version's alias decision and reason and the card's plots (cached per version)."""
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    try:
        tags = client.get_model_version(name, version).tags or {}
    except MlflowException:
        tags = {}
    plots = []
    for path, caption in PLOTS if run_id else ():
        try:
            uri = _plot(client, str(run_id), path)
        except (MlflowException, OSError) as exc:
            log.info("plot %s of run %s not available: %s", path, run_id, type(exc).__name__)
            continue
        if uri:
            plots.append((caption, uri))
    return RegistryFacts(tags.get("alias_decision"), tags.get("alias_reason"), plots)


def exact_percent(p: float) -> str:
    """Return a threshold as a percentage with every significant digit it has (up to 4 dp)."""
    return f"{p * 100:.4f}".rstrip("0").rstrip(".") + "%"


def build_model_view(model: LoadedModel, tracking_uri: str | None = None) -> ModelView:
    """Describe the loaded model for the page."""
    info = model_info(model)
    scorers = scorer_columns(info.metrics)
    rows, appendix = metric_rows(info, scorers)
    facts = (
        registry_facts(tracking_uri, model.name, model.version, model.run_id)
        if tracking_uri
        else RegistryFacts()
    )
    card = render_markdown(fill_fairness(info.model_card, model.bias_audit))
    challenger = model.alias == "challenger" or facts.decision == "challenger"
    bands = [(k, exact_percent(v)) for k, v in info.bands.items()]
    return ModelView(info, card, scorers, rows, appendix, facts, challenger, bands)
