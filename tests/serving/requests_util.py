"""Request bodies from cohort tables for the tests (the builder lives in serving)."""

from serving.cohort_requests import case_request

__all__ = ["case_request"]
