"""The rule table is data (versioned YAML); a force's overrides are validated configuration."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from features.case import case_from_tables
from features.contracts import validate_tables
from features.rules import (
    RULES_VERSION,
    RulesConfig,
    grade_case,
    grade_cohort_to_file,
    load_config,
    load_rule_table,
    resolve,
)
from features.rules.predicates import PREDICATES, check_table_predicates
from features.rules.reasons import field_inputs


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_rule_tables_ship_as_package_data_v2_the_default(version: str) -> None:
    assert resources.files("features.rules").joinpath(f"rules_{version}.yaml").is_file()
    table = load_rule_table(version)
    assert table.version == version and RULES_VERSION == "v2"
    expected = {"R-VHR", "R-PJ", "R-ESC", "R-RPT", "R-IDVA", "R-DVDS"}
    assert expected <= set(table.rule_ids)
    assert any(r.startswith("R-CSC-") for r in table.rule_ids)
    assert all(rule.source and rule.action for rule in table.rules)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_every_clause_has_a_predicate_and_known_template_fields(version: str) -> None:
    table = load_rule_table(version)
    check_table_predicates(table)
    th = resolve(RulesConfig(rules_version=version))
    for _, clause in table.clauses:
        field_inputs(clause, th)  # raises on an unknown template field


def test_every_predicate_serves_a_clause_of_some_version() -> None:
    used = {c.id for v in ("v1", "v2") for _, c in load_rule_table(v).clauses}
    assert used == set(PREDICATES)


def test_defaults_are_not_reported_as_overrides() -> None:
    assert resolve().non_default == {}
    assert resolve(RulesConfig(vhr_min_yes=14)).non_default == {}
    th = resolve(RulesConfig(esc_window_days=400, rpt_definition="joint_protocol",
                             less_protective={"rpt_definition": "local protocol"}))  # fmt: skip
    assert th.non_default == {"esc_window_days": 400, "rpt_definition": "joint_protocol"}


def test_config_loads_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "force.yaml"
    path.write_text("esc_min_incidents: 2\nlocal_bands: {medium_min_yes: 10, high_min_yes: 14}\n")
    config = load_config(path)
    assert config.esc_min_incidents == 2
    assert resolve(config).non_default["local_bands"] == {"medium_min_yes": 10, "high_min_yes": 14}
    (tmp_path / "empty.yaml").write_text("")
    assert load_config(tmp_path / "empty.yaml") == RulesConfig()


@pytest.mark.parametrize("text", [
    "vhr_min_yes: 0", "vhr_min_yes: 28", "esc_windw_days: 3", "rpt_definition: old",
    "local_bands: {medium_min_yes: 14, high_min_yes: 10}", "csc_serious_flags: [burns]",
])  # fmt: skip
def test_bad_config_is_rejected_naming_the_field(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ValidationError) as info:
        load_config(path)
    assert text.split(":")[0] in str(info.value)


def test_result_serialises_to_json(minimal_tables: dict[str, pd.DataFrame]) -> None:
    tables = validate_tables(minimal_tables)
    config = RulesConfig(vhr_min_yes=15, less_protective={"vhr_min_yes": "a recorded reason"})
    body = json.loads(grade_case(case_from_tables(tables, "A2"), config).to_json())
    assert body["grade"] == "high" and body["rules_version"] == "v2"
    assert body["non_default_thresholds"] == {"vhr_min_yes": 15}
    assert body["less_protective"] == {"vhr_min_yes": "a recorded reason"}
    assert {a["rule_id"] for a in body["actions"]} >= {"R-VHR", "R-PJ", "R-IDVA", "R-MARAC-HIGH"}
    assert set(body["actions"][0]) == {
        "rule_id",
        "action",
        "reason",
        "source",
        "due_by",
        "due_within_hours",
    }


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_grade_cohort_to_file(
    minimal_tables: dict[str, pd.DataFrame], tmp_path: Path, suffix: str
) -> None:
    summary = grade_cohort_to_file(validate_tables(minimal_tables), tmp_path / f"g{suffix}")
    frame = pd.read_parquet(summary.path) if suffix == ".parquet" else pd.read_csv(summary.path)
    assert list(frame["assessment_id"]) == ["A1", "A2", "A3"]
    assert {"statutory_grade", "actions", "reasons", "R-VHR", "rules_version"} <= set(frame.columns)
    assert summary.n_assessments == 3
    assert summary.by_grade == {"standard": 2, "medium": 0, "high": 1}
    assert summary.by_action["marac_referral"] == 1 and summary.by_action["idva_referral"] == 1
    assert summary.by_action["csc_information_sharing"] == 1  # A1 licence order (A2: no child)
    assert summary.by_rule["R-CSC-ORDER"] == 1


def test_grade_cohort_to_file_rejects_unknown_suffix(
    minimal_tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"\.parquet or \.csv"):
        grade_cohort_to_file(validate_tables(minimal_tables), tmp_path / "g.xlsx")


def test_every_threshold_is_configurable_and_every_override_is_a_threshold() -> None:
    names = {t.name for t in load_rule_table().thresholds}
    assert set(RulesConfig.model_fields) - {"rules_version", "less_protective"} == names
