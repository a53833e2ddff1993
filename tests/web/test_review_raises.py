"""Reviewer decisions carry consequences and never hide one another.

The effective grade is the highest of the statutory grade and every raise; a later review
cannot go below it (refused at the page, the server, the store and the database); a raise to
high brings MARAC and IDVA referrals sourced to the reviewer; the queue shows who raised it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError

from serving.db.models import Review, ScoreAudit
from serving.db.reviewer_store import NewReview, ReviewerStore, ReviewRefusedError
from tests.web.web_util import TestClient, csrf_of, store_of


def _standard_case(client: TestClient, ids: list[int]) -> int:
    with store_of(client).engine.connect() as conn:
        for i in ids:
            grade = conn.execute(select(ScoreAudit.statutory_grade).where(ScoreAudit.id == i))
            if grade.scalar_one() == "standard":
                return i
    pytest.skip("no scored case graded standard")


def _post(client: TestClient, audit_id: int, **form: str) -> int:
    token = csrf_of(client.get(f"/reviewer/cases/{audit_id}").text)
    res = client.post(
        f"/reviewer/cases/{audit_id}/reviews",
        data={"csrf_token": token, **form},
        follow_redirects=False,
    )
    return res.status_code


def test_a_later_review_cannot_go_below_an_earlier_raise(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    audit_id = _standard_case(reviewer_client, scored_ids)
    assert _post(reviewer_client, audit_id, decision="raise", raised_to="high", reason="r1") == 303
    assert _post(reviewer_client, audit_id, decision="agree", reason="fine") == 303
    assert _post(reviewer_client, audit_id, decision="no_change", reason="noted") == 303
    store = ReviewerStore(store_of(reviewer_client).engine)
    reviews = store.reviews_for(audit_id)
    assert [r.grade_after for r in reviews] == ["high", "high", "high"]  # agree keeps the raise
    html = reviewer_client.get(f"/reviewer/cases/{audit_id}").text
    assert "Case grade now" in html and "(already the highest grade)" in html
    assert "Agreed: the case&#39;s grade stays high" in html
    # page: no grade to raise to is offered; server: a raise to medium is refused
    code = _post(reviewer_client, audit_id, decision="raise", raised_to="medium", reason="x")
    assert code == 422
    with pytest.raises(ReviewRefusedError, match="never lowered"):
        store.add_review(NewReview(audit_id, "raise", "medium", "x", "k", datetime.now(UTC)))
    assert len(store.reviews_for(audit_id)) == 3


@pytest.mark.parametrize(("decision", "raised_to", "grade_after"), [
    ("agree", None, "standard"), ("no_change", None, "medium"), ("raise", "medium", "medium"),
])  # fmt: skip
def test_the_database_refuses_a_review_below_the_effective_grade(
    app_client: TestClient,
    scored_ids: list[int],
    decision: str,
    raised_to: str | None,
    grade_after: str,
) -> None:
    audit_id = _standard_case(app_client, scored_ids)
    store = ReviewerStore(store_of(app_client).engine)
    store.add_review(NewReview(audit_id, "raise", "high", "raised", "k1", datetime.now(UTC)))
    row = {
        "audit_id": audit_id, "decision": decision, "raised_to": raised_to, "reason": "x",
        "reviewer_key_id": "k2", "created_at": datetime.now(UTC), "grade_after": grade_after,
    }  # fmt: skip
    with pytest.raises(DBAPIError), store.engine.begin() as conn:
        conn.execute(insert(Review), row)  # straight to the table, past every Python check
    assert len(store.reviews_for(audit_id)) == 1


def test_a_raise_to_high_carries_marac_and_idva_from_the_reviewer(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    audit_id = _standard_case(reviewer_client, scored_ids)
    reason = "Strangulation disclosed after the assessment"
    assert _post(reviewer_client, audit_id, decision="raise", raised_to="high", reason=reason)
    html = reviewer_client.get(f"/reviewer/cases/{audit_id}").text
    rows = html[html.index("Required actions") : html.index("Model view")]
    assert rows.count('class="from-review"') == 2
    assert "marac referral" in rows and "idva referral" in rows and reason in rows
    assert "<strong>Reviewer's raise</strong>" in rows
    queue = reviewer_client.get("/reviewer/queue?state=raised").text
    assert "raised by" in queue


def test_a_raise_to_medium_then_high_keeps_climbing(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    audit_id = _standard_case(reviewer_client, scored_ids)
    assert _post(reviewer_client, audit_id, decision="raise", raised_to="medium", reason="a")
    html = reviewer_client.get(f"/reviewer/cases/{audit_id}").text
    form = html[html.index('class="stack review-form"') :]
    assert '<option value="high"' in form and '<option value="medium"' not in form
    assert _post(reviewer_client, audit_id, decision="raise", raised_to="high", reason="b") == 303
    reviews = ReviewerStore(store_of(reviewer_client).engine).reviews_for(audit_id)
    assert [r.grade_after for r in reviews] == ["medium", "high"]
