"""The rule table as a Markdown page (``docs/rules.md``), generated so the two never disagree.

Regenerate with ``python -m features.rules.docs > docs/rules.md``; a test fails when the
committed page differs from the table.
"""

from __future__ import annotations

from features.rules.table import DEFAULT_VERSION, Rule, RuleTable, load_rule_table

_HEADER = """# Statutory rules {version}

Generated from `features/rules/rules_{version}.yaml` by `python -m features.rules.docs`; do not
edit by hand (tests/features/test_rules_docs.py fails when this page and the table disagree).
Looking for the "14 ticks" rule? It is **R-VHR** (visible high risk).

A rule marked *force policy* comes from one local protocol (or is a force's own choice), not a
national threshold. Flags (F-*) are shown with their source and require no action; they raise no
grade. Thresholds are configuration: a force may make them more protective; a less protective
value is refused unless the configuration records a reason (`less_protective`), which then
appears on every result.

| id | what fires it | action | grade floor | deadline | source (quoted) |
|---|---|---|---|---|---|
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _deadline(rule: Rule) -> str:
    if rule.due_hours is None:
        return "—"
    return f"{rule.due_hours} h from the {rule.due_from}"


def _row(rule: Rule) -> str:
    action = f"flag: {rule.action}" if rule.kind == "flag" else rule.action
    source = f"{rule.citation}: “{rule.quote}”" if rule.quote else rule.citation
    cells = (
        rule.id,
        rule.fires,
        action,
        rule.grade_floor or "—",
        _deadline(rule),
        source,
    )
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _thresholds(table: RuleTable) -> str:
    lines = ["", "## Thresholds", "", "| name | default | more protective | meaning |"]
    lines.append("|---|---|---|---|")
    for t in table.thresholds:
        direction = t.protective or "any value (raise only)"
        cells = (t.name, str(t.default), direction, t.description)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def rules_markdown(version: str = DEFAULT_VERSION) -> str:
    """Return the Markdown page of one rule-table version: every rule, then every threshold."""
    table = load_rule_table(version)
    rows = "\n".join(_row(r) for r in table.rules)
    return _HEADER.format(version=version) + rows + "\n" + _thresholds(table)


if __name__ == "__main__":
    print(rules_markdown(), end="")
