"""Model page (safe Markdown, comparison with DASH) and no personal data or keys in logs."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
from sqlalchemy import select

from serving.db.models import ScoreAudit
from serving.web.model_view import render_markdown
from tests.serving.helpers import bearer
from tests.serving.model_factory import HAND_METRICS
from tests.serving.requests_util import case_request
from tests.web.web_util import TestClient, csrf_of, login, store_of


def test_model_page_shows_card_and_comparison_with_dash(reviewer_client: TestClient) -> None:
    html = reviewer_client.get("/reviewer/model").text
    assert "<h3>Model card</h3>" in html and "A tiny test model (synthetic)." in html
    assert "Compared with DASH" in html and "DASH yes-count" in html
    diff = HAND_METRICS["model_roc_auc"] - HAND_METRICS["dash_count_roc_auc"]
    assert f"{diff:+.3f}" in html
    assert "Mean squared error of the probability (Brier score) ↓" in html


def test_markdown_is_rendered_without_raw_html_or_script_links() -> None:
    out = str(render_markdown("# Card\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))"))
    assert "<h3>Card</h3>" in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert 'href="javascript:' not in out


def test_no_person_data_reason_or_key_in_any_log_line(
    app_client: TestClient,
    web_keys: dict[str, str],
    web_tables: dict[str, pd.DataFrame],
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = case_request(web_tables, "A7")
    body["incident"]["victim_id"] = "Victim-Jane-Doe"
    body["incident"]["area"] = "Flat 3 Acacia Avenue"
    reason = "Spoke to Jane Doe's sister at 12 Acacia Avenue"
    secrets = {
        "Victim-Jane-Doe",
        "Acacia",
        "Jane Doe",
        body["incident"]["perpetrator_id"],
        body["incident"]["officer_id"],
        web_keys["reviewer"],
        web_keys["reviewer"].split(".", 1)[1],
        web_keys["researcher"].split(".", 1)[1],
    }
    with caplog.at_level(logging.DEBUG):
        scored = app_client.post("/v1/score", json=body, headers=bearer(web_keys["case_system"]))
        assert scored.status_code == 200
        login(app_client, web_keys["researcher"])
        login(app_client, "sl_" + "k123.wrongsecret")
        assert login(app_client, web_keys["reviewer"]).status_code == 303
        stmt = select(ScoreAudit.id).where(ScoreAudit.assessment_id == "A7")
        with store_of(app_client).engine.connect() as conn:
            audit_id = conn.execute(stmt).scalar_one()
        page = app_client.get(f"/reviewer/cases/{audit_id}")
        assert "Victim-Jane-Doe" in page.text  # reviewers read the case; logs never do
        for data in (
            {"decision": "raise", "raised_to": "standard", "reason": reason},
            {"decision": "agree", "reason": reason},
        ):
            token = csrf_of(page.text)  # each form's token is used once
            page = app_client.post(
                f"/reviewer/cases/{audit_id}/reviews", data={"csrf_token": token, **data}
            )
        app_client.get("/reviewer/queue?grade=standard")
    stored = select(ScoreAudit.case_input_json).where(ScoreAudit.id == audit_id)
    with store_of(app_client).engine.connect() as conn:
        case = json.loads(str(conn.execute(stored).scalar_one()))
    assert case["incident"]["victim_id"] == "Victim-Jane-Doe"
    lines = [r.getMessage() for r in caplog.records]
    assert any("review_recorded" in line for line in lines)
    assert any("review refused" in line for line in lines)
    assert any("sign_in_failed" in line for line in lines)
    for line in lines:
        for secret in secrets:
            assert secret not in line, line
