"""Statutory rules engine: grade, required actions and reasons, from a versioned rule table.

The statutory grade and its actions always come from these rules; :func:`combine` adds the
model's view only as a review suggestion and never lowers the grade or drops an action.
"""

from __future__ import annotations

from features.rules.combine import ADVISORY_NOTE, ModelView, Recommendation, combine
from features.rules.config import LocalBands, RulesConfig, load_config, resolve
from features.rules.engine import grade_case, grade_table
from features.rules.report import GradeSummary, grade_cohort_to_file
from features.rules.results import Action, StatutoryResult
from features.rules.table import DEFAULT_VERSION, RuleTable, load_rule_table

RULES_VERSION = DEFAULT_VERSION

__all__ = [
    "ADVISORY_NOTE",
    "RULES_VERSION",
    "Action",
    "GradeSummary",
    "LocalBands",
    "ModelView",
    "Recommendation",
    "RuleTable",
    "RulesConfig",
    "StatutoryResult",
    "combine",
    "grade_case",
    "grade_cohort_to_file",
    "grade_table",
    "load_config",
    "load_rule_table",
    "resolve",
]
