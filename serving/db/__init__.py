"""Audit-log and API-key storage: typed ORM models, engine/session setup and a small store."""
