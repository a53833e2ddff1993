"""Point-in-time features per DASH assessment, identical offline (batch) and online (one case).

A feature of an assessment completed at ``t`` uses only rows strictly before ``t``, plus the
current incident itself. Incident history is cut at the current incident's ``occurred_at``
(never after ``t``), so the current incident is never counted as its own history; history
events and earlier assessments are cut at ``t``. Periods (orders, licences) count as active
when they started before ``t`` and had no end date before ``t`` (the recorded end date is the
order's planned end, known when it started).

Both paths encode their input into plain arrays and call the same kernels
(:func:`features.engine.compute.compute`); tests prove the vectors are identical.
"""

from __future__ import annotations

from features.engine.batch import build_features, encode_tables
from features.engine.config import AUDIT_ATTRIBUTES, FeatureConfig, audit_frame
from features.engine.output_schema import feature_schema, feature_summary
from features.engine.single_case import case_features, case_features_dict, encode_case

__all__ = [
    "AUDIT_ATTRIBUTES",
    "FeatureConfig",
    "audit_frame",
    "build_features",
    "case_features",
    "case_features_dict",
    "encode_case",
    "encode_tables",
    "feature_schema",
    "feature_summary",
]
