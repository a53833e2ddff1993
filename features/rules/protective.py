"""Configuration can only protect more: a less protective threshold needs a recorded reason.

A force may lower counts, lengthen windows, widen definitions and switch protective policies
on freely. A value less protective than the rule table's default (e.g. ``vhr_min_yes: 15``) is
refused naming the field and the default, unless the configuration's ``less_protective``
mapping gives the force's reason for it; that reason then travels with every result.
"""

from __future__ import annotations

from typing import Any, Protocol

from features.rules.table import RuleTable, ThresholdSpec


class _Config(Protocol):
    less_protective: dict[str, str]


def _as_set(table: RuleTable, spec: ThresholdSpec, value: Any) -> set[str]:
    if spec.name == "rpt_definition":
        return set(table.repeat_categories(str(value)))
    return {str(v) for v in value}


def is_less_protective(table: RuleTable, spec: ThresholdSpec, value: Any) -> bool:
    """Return whether ``value`` protects less than the threshold's default."""
    default = spec.default
    if spec.protective == "lower":
        return bool(value > default)
    if spec.protective == "higher":
        return bool(value < default)
    if spec.protective == "superset":
        return not _as_set(table, spec, value) >= _as_set(table, spec, default)
    if spec.protective == "on":
        return bool(default) and not bool(value)
    return False


def _chosen(config: _Config, spec: ThresholdSpec) -> Any:
    value = getattr(config, spec.name, None)
    return list(value) if isinstance(value, tuple) else value


def check_protective(table: RuleTable, config: _Config) -> None:
    """Raise ValueError naming each less protective field without a recorded reason."""
    specs = {t.name: t for t in table.thresholds}
    problems: list[str] = []
    for name in config.less_protective:
        if name not in specs:
            problems.append(f"less_protective.{name}: not a threshold of rules {table.version}")
    for spec in table.thresholds:
        value = _chosen(config, spec)
        if value is None:
            continue
        if spec.name == "rpt_definition" and value not in dict(table.repeat_definitions):
            names = [n for n, _ in table.repeat_definitions]
            problems.append(f"rpt_definition: {value!r} is not one of {names}")
            continue
        weaker = is_less_protective(table, spec, value)
        if weaker and spec.name not in config.less_protective:
            problems.append(
                f"{spec.name}: {value!r} is less protective than the default {spec.default!r}; "
                f"refused unless the configuration records why in "
                f"less_protective: {{{spec.name}: <reason>}}"
            )
        elif not weaker and spec.name in config.less_protective:
            problems.append(
                f"less_protective.{spec.name}: the configured value is not less protective "
                f"than the default {spec.default!r}; remove the entry"
            )
    problems += _unset_reasons(config, specs)
    if problems:
        raise ValueError("; ".join(problems))


def _unset_reasons(config: _Config, specs: dict[str, ThresholdSpec]) -> list[str]:
    return [
        f"less_protective.{name}: no value is configured for {name}"
        for name in config.less_protective
        if name in specs and _chosen(config, specs[name]) is None
    ]
