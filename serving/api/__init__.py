"""Thin HTTP routes; the work happens in :mod:`serving.scoring_service` and the store."""
