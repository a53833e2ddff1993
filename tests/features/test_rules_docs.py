"""docs/rules.md is generated from the rule table; this fails when the two disagree."""

from __future__ import annotations

from pathlib import Path

from features.rules import load_rule_table
from features.rules.docs import rules_markdown

PAGE = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_docs_rules_md_matches_the_rule_table() -> None:
    assert PAGE.read_text() == rules_markdown(), (
        "docs/rules.md is out of date: run `python -m features.rules.docs > docs/rules.md`"
    )


def test_every_rule_and_threshold_has_a_row_with_its_quoted_source() -> None:
    page = PAGE.read_text()
    table = load_rule_table()
    for rule in table.rules:
        (line,) = [row for row in page.splitlines() if row.startswith(f"| {rule.id} |")]
        assert rule.quote and rule.quote in line and rule.fires in line, rule.id
    for threshold in table.thresholds:
        assert f"| {threshold.name} |" in page
