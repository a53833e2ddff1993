"""Bias audit: group metrics for DASH, officer grade and model, for researchers."""
