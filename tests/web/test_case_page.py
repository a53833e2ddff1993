"""Case page: statutory result first and authoritative, advisory model, grouped reasons in
probability, DASH answers, history timeline; reviews recorded, shown and counted; no way to
lower a grade."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from serving.db.models import Review, ScoreAudit
from serving.db.reviewer_store import NewReview, ReviewerStore, ReviewRefusedError
from serving.web.case_view import raise_options
from serving.web.reasons_view import SHOWN_GROUPS
from tests.web.web_util import TestClient, csrf_of, store_of


def _audit(client: TestClient, audit_id: int) -> Any:
    with store_of(client).engine.connect() as conn:
        return conn.execute(select(ScoreAudit).where(ScoreAudit.id == audit_id)).one()


def _by_grade(client: TestClient, ids: list[int], grade: str) -> int:
    for i in ids:
        if _audit(client, i).statutory_grade == grade:
            return i
    pytest.skip(f"no scored case graded {grade}")


def _n_reviews(client: TestClient) -> int:
    with store_of(client).engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Review)).scalar_one())


def test_scoring_stores_the_validated_case_input(
    app_client: TestClient, scored_ids: list[int]
) -> None:
    row = _audit(app_client, scored_ids[0])
    case = json.loads(row.case_input_json)
    assert set(case) == {
        "incident",
        "assessment",
        "prior_incidents",
        "history_events",
        "prior_assessments",
    }
    assert case["assessment"]["assessment_id"] == row.assessment_id


def test_statutory_result_comes_first_then_the_advisory_model(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    audit_id = scored_ids[3]
    res = json.loads(_audit(reviewer_client, audit_id).response_json)
    html = reviewer_client.get(f"/reviewer/cases/{audit_id}").text
    statutory, model = html.index('id="statutory-h"'), html.index('id="model-h"')
    why = html.index('id="why-h"')
    assert statutory < model < why
    assert f"grade-{res['statutory']['grade']}" in html[statutory:model]
    assert "authoritative" in html[statutory:model] and "advisory" in html[model:why]
    for action in res["statutory"]["actions"]:
        block = html[statutory:model]
        assert action["rule_id"] in block and str(escape(action["source"])) in block
        assert str(escape(action["reason"])) in block
    assert "never lowers the grade" in html[model:why]


def test_reasons_show_grouped_bars_and_sentences_in_probability(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    audit_id = scored_ids[5]
    model = json.loads(_audit(reviewer_client, audit_id).response_json)["model"]
    html = reviewer_client.get(f"/reviewer/cases/{audit_id}").text
    section = html[html.index('id="why-h"') : html.index("</section>", html.index('id="why-h"'))]
    wide = section[section.index("waterfall-wide") : section.index("</svg>")]
    shown = model["groups"][:SHOWN_GROUPS]
    for g in shown:
        assert str(escape(g["label"])) in wide
        for f in g["features"]:
            assert str(escape(f["sentence"])) in section
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="16"', wide)
    others = 1 if len(model["groups"]) > SHOWN_GROUPS else 0
    assert len(bars) == len(shown) + others + 2  # the average-inputs and this-case markers too
    assert f"This case: {model['probability']:.1%}" in wide and "pts" in wide
    reader = section[: section.index('class="analyst"')]
    assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", re.sub(r"<[^>]+>", " ", reader))
    assert "log-odds" not in reader.split("For analysts")[0].lower().replace(
        "log-odds waterfall", ""
    )
    total = model["base_value"] + sum(c["log_odds"] for c in model["contributions"])
    assert total + model["remaining_log_odds"] == pytest.approx(model["raw_score"], abs=1e-9)
    assert f"{model['raw_score']:+.3f}" in section[section.index('class="analyst"') :]


def test_the_band_thresholds_shown_are_the_ones_applied(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    for audit_id in scored_ids[:10]:
        model = json.loads(_audit(reviewer_client, audit_id).response_json)["model"]
        html = reviewer_client.get(f"/reviewer/cases/{audit_id}").text
        found = re.search(
            r"\(medium from ([\d.]+)%, high from ([\d.]+)%; this case ([\d.]+)%\)", html
        )
        assert found, "the band line names the thresholds"
        medium, high, case = (float(v) / 100 for v in found.groups())
        shown_band = "high" if case >= high else "medium" if case >= medium else "standard"
        assert shown_band == model["band"]  # read off the page, the band follows the numbers
        assert medium == pytest.approx(model["band_thresholds"]["medium"], abs=5e-4)


def test_dash_answers_and_history_are_shown(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    audit_id = scored_ids[7]
    case = json.loads(_audit(reviewer_client, audit_id).case_input_json)
    html = reviewer_client.get(f"/reviewer/cases/{audit_id}").text
    answers = case["assessment"]["answers"]
    shown = re.findall(r'class="answer answer-([a-z_]+)"', html)
    assert shown == [answers[f"q{i}"] for i in range(1, 28)]
    assert "Don&#39;t know" in html or "dont_know" not in answers.values()
    assert "Current incident:" in html and case["incident"]["occurred_at"][:10] in html
    n_marks = html.count('class="incident sev-') + html.count('class="current sev-')
    assert n_marks == 1 + len(case["prior_incidents"])
    rows = html[html.index('class="history"') :].split("</table>")[0].count("<tr")
    expected = 1 + len(case["prior_incidents"]) + len(case["history_events"])
    assert rows - 1 == expected + len(case["prior_assessments"])


def test_unknown_case_is_404(reviewer_client: TestClient) -> None:
    assert reviewer_client.get("/reviewer/cases/999999").status_code == 404
    assert reviewer_client.get("/reviewer/cases/0").status_code == 422


def test_record_a_review_and_see_it_on_the_case_and_queue(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    audit_id = _by_grade(reviewer_client, scored_ids, "standard")
    page = reviewer_client.get(f"/reviewer/cases/{audit_id}")
    data = {
        "csrf_token": csrf_of(page.text),
        "decision": "raise",
        "raised_to": "high",
        "reason": "Strangulation disclosed at the scene; <b>escalating</b>.",
    }
    res = reviewer_client.post(
        f"/reviewer/cases/{audit_id}/reviews", data=data, follow_redirects=False
    )
    assert res.status_code == 303
    assert res.headers["location"] == f"/reviewer/cases/{audit_id}?recorded=1#reviews"
    html = reviewer_client.get(res.headers["location"]).text
    assert "Your review was recorded" in html and "Raised the grade to high" in html
    assert "&lt;b&gt;escalating&lt;/b&gt;" in html and "<b>escalating" not in html
    reviews = ReviewerStore(store_of(reviewer_client).engine).reviews_for(audit_id)
    assert [(r.decision, r.raised_to) for r in reviews] == [("raise", "high")]
    assert reviews[0].reviewer_key_id and reviews[0].created_at is not None
    queue = reviewer_client.get("/reviewer/queue?state=reviewed").text
    assert f"/reviewer/cases/{audit_id}" in queue and "1 · raised to high" in queue


@pytest.mark.parametrize("decision", ["agree", "no_change"])
def test_agree_and_no_change_are_recorded(
    reviewer_client: TestClient, scored_ids: list[int], decision: str
) -> None:
    audit_id = scored_ids[1]
    token = csrf_of(reviewer_client.get(f"/reviewer/cases/{audit_id}").text)
    data = {"csrf_token": token, "decision": decision, "raised_to": "high", "reason": "seen"}
    res = reviewer_client.post(f"/reviewer/cases/{audit_id}/reviews", data=data)
    assert res.status_code == 200
    reviews = ReviewerStore(store_of(reviewer_client).engine).reviews_for(audit_id)
    assert [(r.decision, r.raised_to) for r in reviews] == [(decision, None)]


def test_reason_and_decision_are_required(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    audit_id = scored_ids[2]
    page = reviewer_client.get(f"/reviewer/cases/{audit_id}")
    for data in ({"decision": "agree", "reason": "   "}, {"reason": "fine"}):
        token = csrf_of(page.text)  # each form's token is used once
        page = reviewer_client.post(
            f"/reviewer/cases/{audit_id}/reviews", data={"csrf_token": token, **data}
        )
        assert page.status_code == 422 and "The review was not recorded" in page.text
    assert _n_reviews(reviewer_client) == 0


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_review_post_without_the_session_csrf_token_is_refused(
    reviewer_client: TestClient, scored_ids: list[int], token: str | None
) -> None:
    audit_id = scored_ids[0]
    data = {"decision": "agree", "reason": "looks right"}
    if token is not None:
        data["csrf_token"] = token
    res = reviewer_client.post(f"/reviewer/cases/{audit_id}/reviews", data=data)
    assert res.status_code == 403 and "security token" in res.text
    assert _n_reviews(reviewer_client) == 0


def test_a_bearer_reviewer_can_read_but_not_post(
    app_client: TestClient, web_keys: dict[str, str], scored_ids: list[int]
) -> None:
    headers = {"Authorization": f"Bearer {web_keys['reviewer']}"}
    assert app_client.get(f"/reviewer/cases/{scored_ids[0]}", headers=headers).status_code == 200
    data = {"decision": "agree", "reason": "x", "csrf_token": ""}
    res = app_client.post(f"/reviewer/cases/{scored_ids[0]}/reviews", data=data, headers=headers)
    assert res.status_code == 403 and _n_reviews(app_client) == 0


def test_the_form_offers_only_grades_above_the_statutory_grade(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    for grade in ("standard", "medium", "high"):
        try:
            audit_id = _by_grade(reviewer_client, scored_ids, grade)
        except pytest.skip.Exception:
            continue
        html = reviewer_client.get(f"/reviewer/cases/{audit_id}").text
        form = html[html.index('class="stack review-form"') :]
        offered = re.findall(r'<option value="([a-z]+)"', form)
        assert offered == raise_options(grade)
        if grade == "high":
            assert 'value="raise" disabled' in form


def _insert_graded(client: TestClient, template_id: int, grade: str) -> int:
    """Copy a scored case's audit row with the statutory grade set to ``grade``."""
    from tests.web.web_util import synthetic_rows

    body = json.loads(_audit(client, template_id).response_json)
    body["statutory"]["grade"] = body["recommendation"]["grade"] = grade
    rows = synthetic_rows([(grade, "high", 0.9)], json.dumps(body))
    store_of(client).record_scores(rows)
    with store_of(client).engine.connect() as conn:
        stmt = select(func.max(ScoreAudit.id))
        return int(conn.execute(stmt).scalar_one())


@pytest.mark.parametrize(
    ("grade", "raised_to"),
    [("medium", "standard"), ("medium", "medium"), ("high", "medium"), ("high", "high")],
)
def test_the_server_refuses_to_lower_or_keep_a_grade_it_claims_to_raise(
    reviewer_client: TestClient, scored_ids: list[int], grade: str, raised_to: str
) -> None:
    audit_id = _insert_graded(reviewer_client, scored_ids[0], grade)
    token = csrf_of(reviewer_client.get(f"/reviewer/cases/{audit_id}").text)
    data = {"csrf_token": token, "decision": "raise", "raised_to": raised_to, "reason": "lower"}
    res = reviewer_client.post(f"/reviewer/cases/{audit_id}/reviews", data=data)
    assert res.status_code == 422
    assert "can only raise the grade" in res.text and "never lowered" in res.text
    assert _n_reviews(reviewer_client) == 0
    store = ReviewerStore(store_of(reviewer_client).engine)
    with pytest.raises(ReviewRefusedError):
        store.add_review(NewReview(audit_id, "raise", raised_to, "x", "k", datetime.now(UTC)))


def test_the_database_refuses_a_raise_to_standard(
    app_client: TestClient, scored_ids: list[int]
) -> None:
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    row = {
        "audit_id": scored_ids[0],
        "decision": "raise",
        "raised_to": "standard",
        "reason": "x",
        "reviewer_key_id": "k",
        "created_at": datetime.now(UTC),
    }
    with pytest.raises(IntegrityError), store_of(app_client).engine.begin() as conn:
        conn.execute(insert(Review), row)


def test_a_case_scored_before_reasons_were_grouped_still_shows(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    from tests.web.web_util import synthetic_rows

    body = json.loads(_audit(reviewer_client, scored_ids[0]).response_json)
    for key in (
        "groups",
        "outcome",
        "band_thresholds",
        "base_probability",
        "remaining_probability",
    ):
        body["model"].pop(key)
    for c in body["model"]["contributions"]:
        for key in ("group", "sentence", "probability_effect"):
            c.pop(key)
    store_of(reviewer_client).record_scores(
        synthetic_rows([("medium", "high", 0.5)], json.dumps(body))
    )
    with store_of(reviewer_client).engine.connect() as conn:
        audit_id = int(conn.execute(select(func.max(ScoreAudit.id))).scalar_one())
    res = reviewer_client.get(f"/reviewer/cases/{audit_id}")
    assert res.status_code == 200
    assert "scored before the service grouped its reasons" in res.text
    assert f"{body['model']['raw_score']:+.3f}" in res.text  # the analyst table still adds up
