"""What ``secondlook audit`` prints: flagged disparities and what disclosure control withheld."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from bias_audit import AuditResult


def flagged_table(result: AuditResult) -> Table:
    """Render the flagged disparities (interval excludes parity after the family correction)."""
    flagged = result.flagged
    from bias_audit.report_view import METRICS, group_words, grouping_words

    table = Table(title=f"{len(flagged)} flagged disparit{'y' if len(flagged) == 1 else 'ies'}")
    for heading in ("scorer", "grouping", "group", "vs", "metric", "difference", "interval"):
        table.add_column(heading)
    for d in flagged:
        low, high = d.difference_ci
        columns = d.grouping.split(" × ")
        table.add_row(
            d.scorer,
            grouping_words(columns),
            group_words(columns, d.group),
            group_words(columns, d.reference),
            METRICS[d.metric][0],
            f"{d.difference:+.3f}",
            f"{low:+.3f} to {high:+.3f}",
        )
    return table


def disclosure_line(result: AuditResult) -> str:
    """Return what disclosure control withheld, in one line."""
    d = result.disclosure
    return (
        f"Disclosure control: {d['shown']} of {d['cells']} group cells shown; "
        f"{d['primary']} withheld under the rule, {d['secondary']} to protect them."
    )
