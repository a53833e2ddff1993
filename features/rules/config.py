"""A force's threshold overrides (pydantic, loadable from YAML) resolved against the rule table."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from features.dash import QUESTION_IDS
from features.rules.table import DEFAULT_VERSION, RuleTable, load_rule_table
from features.vocab import OFFENCE_CATEGORIES, SEVERITY_MAX, SEVERITY_MIN

SECONDS_PER_DAY = 86_400
NEVER = 1_000_000  # a yes-count no assessment reaches: a disabled band
SeriousFlag = Literal["injury", "strangulation", "weapon"]
_N_QUESTIONS = len(QUESTION_IDS)


class LocalBands(BaseModel):
    """Optional local yes-count bands: at least medium from one count, high from another."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    medium_min_yes: int = Field(ge=1, le=_N_QUESTIONS)
    high_min_yes: int = Field(ge=1, le=_N_QUESTIONS)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.medium_min_yes >= self.high_min_yes:
            raise ValueError("local_bands.medium_min_yes must be below high_min_yes")
        return self


class RulesConfig(BaseModel):
    """Threshold overrides a force applies; ``None`` keeps the rule table's default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules_version: str = DEFAULT_VERSION
    vhr_min_yes: int | None = Field(default=None, ge=1, le=_N_QUESTIONS)
    esc_min_incidents: int | None = Field(default=None, ge=1)
    esc_window_days: int | None = Field(default=None, ge=1, le=3650)
    rpt_window_days: int | None = Field(default=None, ge=1, le=3650)
    rpt_definition: Literal["current", "seed004"] | None = None
    dvds_min_convictions: int | None = Field(default=None, ge=1)
    csc_third_min_incidents: int | None = Field(default=None, ge=1)
    csc_third_window_days: int | None = Field(default=None, ge=1, le=3650)
    csc_serious_min_severity: int | None = Field(default=None, ge=SEVERITY_MIN, le=SEVERITY_MAX + 1)
    csc_serious_flags: tuple[SeriousFlag, ...] | None = None
    local_bands: LocalBands | None = None


def load_config(path: Path) -> RulesConfig:
    """Load a :class:`RulesConfig` from a YAML file (an empty file keeps every default)."""
    raw = yaml.safe_load(Path(path).read_text()) or {}
    return RulesConfig.model_validate(raw)


@dataclass(frozen=True, eq=False)
class Thresholds:
    """Resolved thresholds the predicates read (scalars, plus derived seconds and masks)."""

    version: str
    values: dict[str, Any]
    non_default: dict[str, Any]
    vhr_min_yes: int
    esc_min_incidents: int
    esc_window_s: int
    rpt_window_s: int
    rpt_mask: npt.NDArray[np.bool_]
    dvds_min_convictions: int
    csc_third_min_incidents: int
    csc_third_window_s: int
    csc_serious_min_severity: int
    serious_injury: bool
    serious_strangulation: bool
    serious_weapon: bool
    band_medium_min_yes: int
    band_high_min_yes: int


def _display(value: Any) -> Any:
    if isinstance(value, LocalBands):
        return value.model_dump()
    return list(value) if isinstance(value, tuple) else value


def _merged(table: RuleTable, config: RulesConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    defaults = table.defaults()
    values = dict(defaults)
    for name in defaults:
        chosen = getattr(config, name, None)
        if chosen is not None:
            values[name] = _display(chosen)
    changed = {k: v for k, v in values.items() if v != defaults[k]}
    return values, changed


def _rpt_mask(table: RuleTable, definition: str) -> npt.NDArray[np.bool_]:
    chosen = set(table.repeat_categories(definition))
    return np.array([c in chosen for c in OFFENCE_CATEGORIES], dtype=bool)


@lru_cache(maxsize=64)
def resolve(config: RulesConfig | None = None) -> Thresholds:
    """Resolve a config against its rule table's defaults (cached; configs are immutable)."""
    config = config or RulesConfig()
    table = load_rule_table(config.rules_version)
    v, changed = _merged(table, config)
    bands = v["local_bands"] or {}
    flags = set(v["csc_serious_flags"])
    return Thresholds(
        version=table.version,
        values=v,
        non_default=changed,
        vhr_min_yes=int(v["vhr_min_yes"]),
        esc_min_incidents=int(v["esc_min_incidents"]),
        esc_window_s=int(v["esc_window_days"]) * SECONDS_PER_DAY,
        rpt_window_s=int(v["rpt_window_days"]) * SECONDS_PER_DAY,
        rpt_mask=_rpt_mask(table, str(v["rpt_definition"])),
        dvds_min_convictions=int(v["dvds_min_convictions"]),
        csc_third_min_incidents=int(v["csc_third_min_incidents"]),
        csc_third_window_s=int(v["csc_third_window_days"]) * SECONDS_PER_DAY,
        csc_serious_min_severity=int(v["csc_serious_min_severity"]),
        serious_injury="injury" in flags,
        serious_strangulation="strangulation" in flags,
        serious_weapon="weapon" in flags,
        band_medium_min_yes=int(bands.get("medium_min_yes", NEVER)),
        band_high_min_yes=int(bands.get("high_min_yes", NEVER)),
    )
