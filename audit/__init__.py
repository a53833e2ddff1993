"""Bias audit: group metrics for DASH, officer grade and model, for researchers."""

from audit.api import run_audit
from audit.errors import AuditInputError
from audit.result import AuditResult
from audit.spec import AuditConfig, ScorerSpec

__all__ = ["AuditConfig", "AuditInputError", "AuditResult", "ScorerSpec", "run_audit"]
