"""Case page, statutory part: less protective thresholds show a banner; actions show due-by."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from serving.db.models import ScoreAudit
from tests.web.web_util import TestClient, store_of, synthetic_rows


def _insert(client: TestClient, template_id: int, edit: dict[str, object]) -> int:
    with store_of(client).engine.connect() as conn:
        row = conn.execute(select(ScoreAudit).where(ScoreAudit.id == template_id)).one()
    body = json.loads(row.response_json)
    body["statutory"].update(edit)
    store_of(client).record_scores(synthetic_rows([("standard", "high", 0.9)], json.dumps(body)))
    with store_of(client).engine.connect() as conn:
        return int(conn.execute(select(func.max(ScoreAudit.id))).scalar_one())


def test_a_less_protective_configuration_shows_a_banner_with_its_reason(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    edit = {
        "non_default_thresholds": {"vhr_min_yes": 16},
        "less_protective": {"vhr_min_yes": "agreed at the board, 2026"},
    }
    html = reviewer_client.get(
        f"/reviewer/cases/{_insert(reviewer_client, scored_ids[0], edit)}"
    ).text
    banner = html[html.index('data-testid="less-protective"') :][:600]
    assert "Less protective than the national default" in banner
    assert "vhr_min_yes" in banner and "16" in banner and "agreed at the board, 2026" in banner
    plain = reviewer_client.get(f"/reviewer/cases/{scored_ids[0]}").text
    assert 'data-testid="less-protective"' not in plain


def test_actions_show_their_due_by_time_and_flags_their_source(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    action = {
        "rule_id": "R-CSC-PREGNANT", "action": "csc_information_sharing",
        "reason": "the victim is pregnant", "source": "Domestic Abuse Joint Protocol",
        "due_by": "2024-06-02T11:00:00", "due_within_hours": 24,
    }  # fmt: skip
    flag = {**action, "rule_id": "F-SEPARATION", "action": "trigger_recent_separation",
            "reason": "a separation recorded", "source": "When to involve the police",
            "due_by": None, "due_within_hours": None}  # fmt: skip
    audit_id = _insert(reviewer_client, scored_ids[0], {"actions": [action], "flags": [flag]})
    html = reviewer_client.get(f"/reviewer/cases/{audit_id}").text
    assert "2024-06-02 11:00:00 UTC (24 h)" in html
    flags = html[html.index('data-testid="flags"') :][:400]
    assert "trigger recent separation" in flags and "When to involve the police" in flags
