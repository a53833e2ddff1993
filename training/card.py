"""Render the model card (Markdown) from the run's facts with the Jinja2 template."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from features.engine.registry import spec
from features.labels import DEFINITIONS


@cache
def _environment() -> Environment:
    """Return the Jinja2 environment reading ``training/templates``."""
    return Environment(
        loader=PackageLoader("training", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",)),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def render_model_card(context: dict[str, Any]) -> str:
    """Render ``model_card.md.j2`` with ``context`` (see ``training.pipeline`` for the keys)."""
    full = {
        "target_text": DEFINITIONS.get(context["target"], context["target"]),
        "monotone_features": [n for n in context["feature_names"] if spec(n).monotone],
        **context,
    }
    return _environment().get_template("model_card.md.j2").render(**full)
