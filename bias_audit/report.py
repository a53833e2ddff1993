"""Render the audit as a self-contained HTML page and a JSON file; optional MLflow hook."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, PackageLoader, select_autoescape

from bias_audit.plots import calibration_plot, funnel_plot, group_rates_plot
from bias_audit.result import AuditResult

ARTIFACT_DIR: Final[str] = "audit"  # the report's folder in an MLflow run
JSON_FILE: Final[str] = "audit_report.json"
HTML_FILE: Final[str] = "audit_report.html"
METRIC_NAMES: dict[str, str] = {
    "base_rate": "Base rate",
    "selection_rate": "Share flagged high",
    "fpr": "False positive rate",
    "fnr": "False negative rate",
    "precision": "Precision",
    "auc": "ROC AUC",
    "ece": "ECE",
}


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


def _figures(result: AuditResult) -> list[dict[str, str]]:
    figures = []
    for block in result.blocks:
        if len(block.columns) != 1 or not any(not g.suppressed for g in block.groups):
            continue
        alt = f"Share flagged, FNR and FPR with intervals for {block.scorer} by {block.grouping}"
        figures.append({"png": group_rates_plot(block), "alt": alt})
        if any(g.calibration for g in block.groups):
            alt = f"Calibration curves of {block.scorer} for each group of {block.grouping}"
            figures.append({"png": calibration_plot(block), "alt": alt})
    officer = result.officer_effect or {}
    if officer.get("officers"):
        alt = "Funnel plot of officers' observed minus expected high-grade rate by caseload"
        figures.append({"png": funnel_plot(officer["officers"], officer["limits"]), "alt": alt})
    return figures


def render_html(result: AuditResult) -> str:
    """Return the whole report as one HTML page (inline CSS, base64 PNG figures, no CDN)."""
    data = result.to_dict()
    family = {**data["multiple_comparisons"], "ci_level": data["settings"]["ci_level"]}
    template = _environment().get_template("report.html.j2")
    return template.render(
        data=data,
        metric_names=METRIC_NAMES,
        statement=family_statement(family),
        flagged=[d for d in data["disparities"] if d["flagged"]],
        figures=_figures(result),
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
