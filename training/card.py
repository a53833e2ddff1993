"""Render the model card (Markdown) from the run's facts with the Jinja2 template."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from features.engine.registry import spec

TARGET_TEXT: dict[str, str] = {
    "serious_harm_365d": (
        "the same perpetrator causes serious harm to the same victim (injury, sexual offence, "
        "strangulation, weapon use or top-severity incident)"
    ),
    "repeat_incident_365d": (
        "another police-recorded domestic abuse incident occurs between the same victim and "
        "perpetrator"
    ),
}


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
        "target_text": TARGET_TEXT.get(context["target"], context["target"]),
        "monotone_features": [n for n in context["feature_names"] if spec(n).monotone],
        **context,
    }
    return _environment().get_template("model_card.md.j2").render(**full)
