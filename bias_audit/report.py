"""Render the audit as a self-contained, printable HTML page and a JSON file; MLflow hook."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, PackageLoader, select_autoescape

from bias_audit.report_view import (
    METRICS,
    audited_items,
    group_words,
    grouping_words,
    headline,
    interval_statement,
    officer_figure,
    sections,
)
from bias_audit.result import AuditResult

ARTIFACT_DIR: Final[str] = "audit"  # the report's folder in an MLflow run
JSON_FILE: Final[str] = "audit_report.json"
HTML_FILE: Final[str] = "audit_report.html"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bias_audit", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.filters["num"] = _num
    return env


def _num(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def family_statement(family: dict[str, Any]) -> str:
    """Return the plain-English statement of the multiple-comparison procedure."""
    names = {"bh": "Benjamini–Hochberg", "by": "Benjamini–Yekutieli", "holm": "Holm"}
    aim = "family-wise error rate" if family["method"] == "holm" else "false discovery rate"
    return (
        f"Every disparity test in this audit forms one family ({family['family_size']} tests; "
        f"{family['not_tested']} comparisons had too little data to test). p-values are "
        f"adjusted with {names[family['method']]} to hold the {aim} at {family['fdr']:.0%}: "
        "if no scorer treats any group differently, the chance that anything is flagged is at "
        f"most {family['fdr']:.0%}. A disparity is flagged only when its adjusted p-value is at "
        f"most {family['fdr']:.0%} and its {family.get('ci_level', 0.95):.0%} bootstrap interval "
        "excludes parity; the adjusted interval (level 1 − "
        f"{family['adjusted_alpha']:.2g}) then excludes parity too."
    )


def disclosure_statement(data: dict[str, Any]) -> str:
    """Return the suppression rule and what it withheld, for the top of the report."""
    d = data["disclosure"]
    officer = data.get("officer_effect") or {}
    officers = (
        f" In the officer funnel {officer['officers_withheld']} officers are withheld under the "
        "same rule, and officers are named by a code that links to nothing outside this report."
        if "officers_withheld" in officer
        else ""
    )
    return (
        f"{d['rule']} Of {d['cells']:,} group cells, {d['shown']:,} are shown; "
        f"{d['primary']:,} are withheld under the rule and {d['secondary']:,} more to protect "
        f"them.{officers}"
    )


def render_html(result: AuditResult) -> str:
    """Return the whole report as one HTML page (inline CSS and SVG figures, nothing fetched)."""
    data = result.to_dict()
    family = {**data["multiple_comparisons"], "ci_level": data["settings"]["ci_level"]}
    officer = data.get("officer_effect") or {}
    template = _environment().get_template("report.html.j2")
    return template.render(
        data=data,
        metrics=METRICS,
        statement=family_statement(family),
        disclosure=disclosure_statement(data),
        intervals=interval_statement(data["settings"]),
        audited=audited_items(data.get("audited")),
        flagged=[d for d in data["disparities"] if d["flagged"]],
        sections=sections(data),
        headline=headline(data),
        funnel=officer_figure(officer),
        grouping_words=lambda name: grouping_words(name.split(" × ")),
        group_words=lambda name, label: group_words(name.split(" × "), label),
    )


def write_report(result: AuditResult, out_dir: Path) -> dict[str, Path]:
    """Write ``audit_report.html`` and ``audit_report.json`` into ``out_dir``; return paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html, data = out_dir / HTML_FILE, out_dir / JSON_FILE
    html.write_text(render_html(result), encoding="utf-8")
    data.write_text(json.dumps(result.to_dict(), indent=1, allow_nan=False), encoding="utf-8")
    return {"html": html, "json": data}


def attach_to_mlflow(report_paths: dict[str, Path], run_id: str, client: Any) -> None:
    """Log the report files to an MLflow run through the caller's ``MlflowClient``."""
    for path in report_paths.values():
        client.log_artifact(run_id, str(path), artifact_path=ARTIFACT_DIR)
