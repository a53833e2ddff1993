"""Serving settings from the environment (pydantic-settings); nothing happens at import time."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from features.labels import PRIMARY_LABEL
from features.model_format.local_store import DEFAULT_MLRUNS_DIR, local_tracking_uri


class ServingSettings(BaseSettings):
    """Where the model and the audit database live, and the service's limits.

    ``DATABASE_URL`` and ``MLFLOW_TRACKING_URI`` are read without a prefix; everything else
    as ``SECONDLOOK_<NAME>``.
    """

    model_config = SettingsConfigDict(
        env_prefix="SECONDLOOK_", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default="sqlite:///secondlook.db",
        validation_alias=AliasChoices("DATABASE_URL", "SECONDLOOK_DATABASE_URL", "database_url"),
    )
    tracking_uri: str | None = Field(
        default=None, validation_alias=AliasChoices("MLFLOW_TRACKING_URI", "tracking_uri")
    )
    mlruns_dir: Path = DEFAULT_MLRUNS_DIR
    model_name: str = f"secondlook-{PRIMARY_LABEL}"
    model_ref: str = Field(
        default="champion", description="a registry alias, or a version number (digits)"
    )
    top_contributions: int = Field(default=5, ge=1, le=100)
    max_batch: int = Field(default=1000, ge=1, le=1000)
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="largest request body, refused with 413 while it streams in (a 1,000-case "
        "batch of the synthetic cohort is 5.0 MB, 14.8 MB at its 99th-percentile case size)",
    )
    auth_max_failures: int = Field(
        default=10, ge=1, description="failed sign-ins or API keys before a lockout"
    )
    auth_window_seconds: float = Field(default=300.0, gt=0.0)
    auth_lockout_seconds: float = Field(default=900.0, ge=0.0)
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL"] = "NORMAL"
    sqlite_checkpoint_seconds: float = Field(
        default=1.0,
        ge=0.0,
        description="WAL checkpoint interval of a background thread (0: checkpoint on commit)",
    )
    db_pool_size: int = Field(default=8, ge=1)
    key_cache_seconds: float = Field(default=30.0, ge=0.0)
    clock_skew_seconds: int = Field(default=300, ge=0)
    rules_config_path: Path | None = None
    web_session_secret: SecretStr | None = Field(
        default=None,
        description="signs reviewer session cookies; one random secret per process if unset "
        "(set it when running several workers, or sessions end at every restart)",
    )
    web_cookie_secure: bool = Field(
        default=True,
        description="mark reviewer cookies Secure (HTTPS only). Chromium (checked with 156) "
        "treats http://127.0.0.1 and http://localhost as secure and keeps such cookies, so "
        "`make run` on loopback works as is; turn it off only to serve plain HTTP on another "
        "host name in a closed test setup (behind TLS it must stay on)",
    )
    web_session_minutes: int = Field(default=480, ge=5, le=24 * 60)
    web_page_size: int = Field(default=50, ge=5, le=500)

    def resolved_tracking_uri(self) -> str:
        """Return MLFLOW_TRACKING_URI if set, else the SQLite store training writes by default."""
        return local_tracking_uri(self.mlruns_dir, self.tracking_uri)


@cache
def get_settings() -> ServingSettings:
    """Return the process-wide settings, read once from the environment."""
    return ServingSettings()
