"""Bias audit: group metrics for DASH, officer grade and model, for researchers.

``run_audit`` audits any table with a binary outcome, score or grade columns and group
columns, under disclosure control (``bias_audit.disclosure``: minimum people and events per
published cell, secondary suppression across the margins); ``cohort_audit_frame`` and
``run_cohort_audit`` build and audit a Second Look cohort; ``render_html`` / ``write_report``
give the self-contained HTML page and the JSON figures; ``run_model_audit`` audits a model
and attaches the report to its MLflow run.
"""

from bias_audit.api import run_audit
from bias_audit.cohort import cohort_audit_frame, cohort_officer_effect, run_cohort_audit
from bias_audit.errors import AuditInputError
from bias_audit.model_audit import ModelAuditOutput, registered_model_run, run_model_audit
from bias_audit.officer import officer_effect
from bias_audit.report import attach_to_mlflow, render_html, write_report
from bias_audit.result import AuditResult
from bias_audit.spec import AuditConfig, ScorerSpec

__all__ = [
    "AuditConfig",
    "AuditInputError",
    "AuditResult",
    "ModelAuditOutput",
    "ScorerSpec",
    "attach_to_mlflow",
    "cohort_audit_frame",
    "cohort_officer_effect",
    "officer_effect",
    "registered_model_run",
    "render_html",
    "run_audit",
    "run_cohort_audit",
    "run_model_audit",
    "write_report",
]
