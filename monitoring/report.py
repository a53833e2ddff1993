"""Write the monitor's result as monitor.json and a readable, self-contained monitor.html."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, PackageLoader, select_autoescape

from features.vocab import GRADES
from monitoring import columns as col
from monitoring.monitor import MonitorResult

JSON_FILE: Final[str] = "monitor.json"
HTML_FILE: Final[str] = "monitor.html"


def _finite(value: Any) -> Any:
    """Replace non-finite floats (an empty window's mean) with None, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitoring", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.filters["num"] = lambda v, d=3: "–" if v is None else f"{v:.{d}f}"
    return env


def alert_summary(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return one row per alerted (kind, metric, feature or question, group): windows and peak."""
    rows: dict[tuple[str, ...], dict[str, Any]] = {}
    for a in alerts:
        what = a["feature"] or a["question"] or "–"
        key = (a["group"], what, a["kind"], a["metric"])
        row = rows.setdefault(key, {"windows": [], "peak": a["value"]})
        row.update(group=a["group"], what=what, kind=a["kind"], metric=a["metric"])
        row["windows"].append(a["window"])
        row["peak"] = max(row["peak"], a["value"])
    return [rows[k] for k in sorted(rows)]


def render_html(doc: dict[str, Any], metadata: dict[str, Any] | None = None) -> str:
    """Render the monitor document as HTML: alerts by input and area, each alert, the windows."""
    overall = [w for w in doc["windows"] if w["group"] == col.ALL_GROUP]
    template = _environment().get_template("monitor.html.j2")
    return template.render(
        doc=doc,
        summary=alert_summary(doc["alerts"]),
        overall=overall,
        grades=GRADES,
        metadata=metadata or {},
    )


def write_report(
    result: MonitorResult, out: Path, metadata: dict[str, Any] | None = None
) -> list[Path]:
    """Write monitor.json (with the source's metadata) and monitor.html to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    doc = _finite({**result.to_dict(), "source": metadata or {}})
    json_path, html_path = out / JSON_FILE, out / HTML_FILE
    json_path.write_text(json.dumps(doc, allow_nan=False, indent=1), encoding="utf-8")
    html_path.write_text(render_html(doc, metadata), encoding="utf-8")
    return [json_path, html_path]
