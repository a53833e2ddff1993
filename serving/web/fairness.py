"""The model card's Fairness section, filled from the bias audit attached to the served model.

The audit (``secondlook audit``) runs after training, so the card written at training time
cannot hold its figures; the model page fills the section from the attached audit's JSON:
the headline disparities with their intervals, and where the full report is.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

from serving.web.metric_rows import SCORER_LABELS

HEADLINES: Final[int] = 6
DISPARITY_WORDS: Final[dict[str, str]] = {
    "selection_rate": "share flagged high",
    "fpr": "false positive rate (flagged high, no outcome)",
    "fnr": "false negative rate (outcome, not flagged high)",
    "precision": "precision (flagged high who had the outcome)",
    "auc": "ranking (ROC AUC)",
    "ece": "calibration error",
}
FULL_REPORT: Final[str] = "/v1/audit/report"
_SECTION = re.compile(r"^## Fairness\s*$.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)


def _finite(*values: Any) -> bool:
    return all(isinstance(v, int | float) and math.isfinite(v) for v in values)


def _line(d: dict[str, Any]) -> str:
    low, high = d.get("difference_ci") or (None, None)
    scorer = SCORER_LABELS.get(str(d.get("scorer")), str(d.get("scorer")))
    metric = DISPARITY_WORDS.get(str(d.get("metric")), str(d.get("metric")).replace("_", " "))
    grouping = str(d.get("grouping")).replace("_", " ")
    interval = f" ({low:+.3f} to {high:+.3f})" if _finite(low, high) else ""
    flag = " **flagged**" if d.get("flagged") else ""
    p = d.get("p_adjusted")
    tested = f"; adjusted p {p:.3f}" if _finite(p) else ""
    return (
        f"| {scorer} | {grouping}: {d.get('group')} against {d.get('reference')} | {metric} | "
        f"{d['difference']:+.3f}{interval}{tested}{flag} |"
    )


def fairness_markdown(audit: dict[str, Any] | None) -> str:
    """Return the Fairness section: headline disparities with 95% intervals, or what is missing."""
    if audit is None:
        return (
            "## Fairness\nNo bias audit is attached to this model yet. A researcher or admin "
            "runs `secondlook audit` (it attaches the audit to the model's run), then reloads "
            "the model; this section then shows its headline disparities.\n"
        )
    rows = [d for d in audit.get("disparities", []) if _finite(d.get("difference"))]
    rows.sort(key=lambda d: (not d.get("flagged"), -abs(float(d["difference"]))))
    family = audit.get("multiple_comparisons") or {}
    flagged = sum(1 for d in rows if d.get("flagged"))
    lines = [
        "## Fairness",
        f"From the bias audit attached to this model ({audit.get('n_people', '?')} people, "
        f"outcome {str(audit.get('outcome', '')).replace('_', ' ')}): {flagged} of "
        f"{family.get('family_size', len(rows))} disparity tests are flagged after adjusting "
        "for multiple comparisons. The largest differences from each reference group, with "
        "95% intervals:",
        "",
        "| scorer | group | measure | difference (95% CI) |",
        "|---|---|---|---|",
        *(_line(d) for d in rows[:HEADLINES]),
        "",
        f"The full report (every group, the officer effect, the plots) is at `{FULL_REPORT}` "
        "for researcher and admin keys; small groups are suppressed there too.",
    ]
    return "\n".join(lines) + "\n"


def fill_fairness(card: str, audit: dict[str, Any] | None) -> str:
    """Return the card with its Fairness section replaced by one built from ``audit``."""
    section = fairness_markdown(audit)
    if _SECTION.search(card):
        return _SECTION.sub(lambda _m: section + "\n", card, count=1)
    return card.rstrip() + "\n\n" + section
