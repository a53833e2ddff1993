"""A force's threshold overrides (pydantic, loadable from YAML) resolved against the rule table."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from features.dash import QUESTION_IDS
from features.rules.protective import check_protective
from features.rules.table import DEFAULT_VERSION, RuleTable, load_rule_table
from features.vocab import OFFENCE_CATEGORIES, SEVERITY_MAX, SEVERITY_MIN

NS_PER_DAY = 86_400 * 1_000_000_000
NEVER = 1_000_000  # a yes-count no assessment reaches: a disabled band
SeriousFlag = Literal["injury", "strangulation", "weapon"]
_N_QUESTIONS = len(QUESTION_IDS)
_NOT_THRESHOLDS = ("rules_version", "less_protective")


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
    """Threshold overrides a force applies; ``None`` keeps the rule table's default.

    A value less protective than the default is refused unless ``less_protective`` gives the
    reason for it; the reason is then recorded on every result graded with this configuration.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules_version: str = DEFAULT_VERSION
    vhr_min_yes: int | None = Field(default=None, ge=1, le=_N_QUESTIONS)
    esc_min_incidents: int | None = Field(default=None, ge=1)
    esc_window_days: int | None = Field(default=None, ge=1, le=3650)
    rpt_window_days: int | None = Field(default=None, ge=1, le=3650)
    rpt_definition: str | None = None
    dvds_convictions_policy: bool | None = None
    dvds_min_convictions: int | None = Field(default=None, ge=1)
    dvds_unspent_days: int | None = Field(default=None, ge=1, le=36500)
    csc_third_min_incidents: int | None = Field(default=None, ge=1)
    csc_third_window_days: int | None = Field(default=None, ge=1, le=3650)
    csc_serious_min_severity: int | None = Field(default=None, ge=SEVERITY_MIN, le=SEVERITY_MAX + 1)
    csc_serious_flags: tuple[SeriousFlag, ...] | None = None
    csc_notify_window_days: int | None = Field(default=None, ge=1, le=3650)
    trigger_window_days: int | None = Field(default=None, ge=1, le=3650)
    local_bands: LocalBands | None = None
    less_protective: dict[str, Annotated[str, StringConstraints(min_length=3, max_length=500)]] = (
        Field(default_factory=dict)
    )

    def __hash__(self) -> int:
        return hash(self.model_dump_json())

    @model_validator(mode="after")
    def _only_more_protective(self) -> Self:
        try:
            table = load_rule_table(self.rules_version)
        except FileNotFoundError:
            raise ValueError(f"rules_version: no rule table {self.rules_version!r}") from None
        known = set(table.defaults())
        unknown = [
            name
            for name in type(self).model_fields
            if name not in (*_NOT_THRESHOLDS, *known) and getattr(self, name) is not None
        ]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a threshold of rules {table.version}")
        check_protective(table, self)
        return self


def load_config(path: Path) -> RulesConfig:
    """Load a :class:`RulesConfig` from a YAML file (an empty file keeps every default)."""
    raw = yaml.safe_load(Path(path).read_text()) or {}
    return RulesConfig.model_validate(raw)


@dataclass(frozen=True, eq=False)
class Thresholds:
    """Resolved thresholds the predicates read (scalars, plus derived nanoseconds and masks)."""

    version: str
    values: dict[str, Any]
    non_default: dict[str, Any]
    less_protective: dict[str, str]  # threshold -> the force's recorded reason
    vhr_min_yes: int
    esc_min_incidents: int
    esc_window_ns: int
    rpt_window_ns: int
    rpt_mask: npt.NDArray[np.bool_]
    dvds_policy: bool
    dvds_other_victims_only: bool  # v2: only convictions against other victims count
    dvds_min_convictions: int
    dvds_unspent_ns: int
    csc_third_min_incidents: int
    csc_third_window_ns: int
    csc_serious_min_severity: int
    serious_injury: bool
    serious_strangulation: bool
    serious_weapon: bool
    csc_notify_ns: int
    trigger_ns: int
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


def _days(v: dict[str, Any], name: str, fallback: int = 365) -> int:
    """Return a day threshold in nanoseconds (``fallback`` days where a version lacks it)."""
    return int(v.get(name, fallback)) * NS_PER_DAY


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
        less_protective=dict(sorted(config.less_protective.items())),
        vhr_min_yes=int(v["vhr_min_yes"]),
        esc_min_incidents=int(v["esc_min_incidents"]),
        esc_window_ns=_days(v, "esc_window_days"),
        rpt_window_ns=_days(v, "rpt_window_days"),
        rpt_mask=_rpt_mask(table, str(v["rpt_definition"])),
        dvds_policy=bool(v.get("dvds_convictions_policy", True)),  # v1 always counted them
        dvds_other_victims_only="dvds_convictions_policy" in v,
        dvds_min_convictions=int(v["dvds_min_convictions"]),
        dvds_unspent_ns=_days(v, "dvds_unspent_days", 36500),
        csc_third_min_incidents=int(v["csc_third_min_incidents"]),
        csc_third_window_ns=_days(v, "csc_third_window_days"),
        csc_serious_min_severity=int(v["csc_serious_min_severity"]),
        serious_injury="injury" in flags,
        serious_strangulation="strangulation" in flags,
        serious_weapon="weapon" in flags,
        csc_notify_ns=_days(v, "csc_notify_window_days"),
        trigger_ns=_days(v, "trigger_window_days", 90),
        band_medium_min_yes=int(bands.get("medium_min_yes", NEVER)),
        band_high_min_yes=int(bands.get("high_min_yes", NEVER)),
    )
