"""Queue and disagreement pages: order, filters, keyset pages, counts, and index use."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from serving.db.reviewer_store import Cursor, NewReview, QueueFilter, ReviewerStore, queue_statement
from tests.web.web_util import TestClient, case_ids, insert_synthetic, store_of, walk_pages

SPECS = [
    ("standard", "standard", 0.05),
    ("standard", "high", 0.70),
    ("standard", "medium", 0.40),
    ("medium", "high", 0.70),
    ("medium", "medium", 0.35),
    ("high", "high", 0.90),
    ("standard", "high", 0.70),
    ("standard", "medium", 0.45),
    ("medium", "standard", 0.10),
    ("standard", "high", 0.85),
    ("high", "standard", 0.08),
    ("standard", "medium", 0.31),
]


def _review(client: TestClient, audit_id: int, decision: str, raised_to: str | None) -> None:
    from datetime import UTC, datetime

    ReviewerStore(store_of(client).engine).add_review(
        NewReview(audit_id, decision, raised_to, "because", "kreviewer", datetime.now(UTC))
    )


def test_queue_lists_every_case_newest_first_in_pages(
    reviewer_client: TestClient, scored_ids: list[int]
) -> None:
    pages = walk_pages(reviewer_client, "/reviewer/queue")
    assert all(len(p) == 5 for p in pages)
    flat = [i for p in pages for i in p]
    assert flat == sorted(scored_ids, reverse=True)
    first = reviewer_client.get(pages and "/reviewer/queue?after=" + str(pages[0][-1]))
    assert 'rel="first"' in first.text and case_ids(first.text) == pages[1]


def test_filters_by_grade_band_and_suggestion(reviewer_client: TestClient) -> None:
    ids = insert_synthetic(reviewer_client, SPECS)
    by_spec = dict(zip(ids, SPECS, strict=True))

    def listed(query: str) -> list[int]:
        return [i for p in walk_pages(reviewer_client, f"/reviewer/queue?{query}") for i in p]

    assert listed("grade=medium") == sorted(
        (i for i, s in by_spec.items() if s[0] == "medium"), reverse=True
    )
    assert listed("band=high") == sorted(
        (i for i, s in by_spec.items() if s[1] == "high"), reverse=True
    )
    assert listed("grade=standard&band=medium") == sorted(
        (i for i, s in by_spec.items() if s[:2] == ("standard", "medium")), reverse=True
    )
    rank = {"standard": 0, "medium": 1, "high": 2}
    suggested = sorted((i for i, s in by_spec.items() if rank[s[1]] > rank[s[0]]), reverse=True)
    assert listed("suggested=yes") == suggested
    assert len(listed("suggested=no")) == len(SPECS) - len(suggested)
    page = reviewer_client.get("/reviewer/queue?grade=standard").text
    assert re.search(r"<strong>7</strong> cases match", page)


def test_review_state_filters_and_counts(reviewer_client: TestClient) -> None:
    ids = insert_synthetic(reviewer_client, SPECS)
    _review(reviewer_client, ids[1], "raise", "medium")
    _review(reviewer_client, ids[1], "agree", None)
    _review(reviewer_client, ids[3], "agree", None)
    _review(reviewer_client, ids[4], "raise", "high")

    def listed(query: str) -> list[int]:
        return [i for p in walk_pages(reviewer_client, f"/reviewer/queue?{query}") for i in p]

    assert listed("state=reviewed") == [ids[4], ids[3], ids[1]]
    assert listed("state=raised") == [ids[4], ids[1]]
    assert sorted(listed("state=unreviewed")) == sorted(set(ids) - {ids[1], ids[3], ids[4]})
    page = reviewer_client.get("/reviewer/queue").text
    counts = r"<strong>3</strong> reviewed,\s*<strong>2</strong> with the grade raised"
    assert re.search(counts, page)
    reviewed = reviewer_client.get("/reviewer/queue?state=reviewed").text
    assert "2 · agree" in reviewed and "1 · raised to high" in reviewed


def test_disagreements_sorted_by_probability_with_ties_paged_exactly(
    reviewer_client: TestClient,
) -> None:
    ids = insert_synthetic(reviewer_client, SPECS)
    rank = {"standard": 0, "medium": 1, "high": 2}
    expected = sorted(
        ((s[2], i) for i, s in zip(ids, SPECS, strict=True) if rank[s[1]] > rank[s[0]]),
        reverse=True,
    )
    pages = walk_pages(reviewer_client, "/reviewer/disagreements")
    assert len(pages) == 2  # 8 disagreements, 5 a page; three share probability 0.70
    assert [i for p in pages for i in p] == [i for _, i in expected]
    only_medium = walk_pages(reviewer_client, "/reviewer/disagreements?grade=medium")
    assert only_medium == [[ids[3]]]


def test_bad_parameters_are_refused(reviewer_client: TestClient) -> None:
    assert reviewer_client.get("/reviewer/queue?after=abc").status_code == 400
    assert reviewer_client.get("/reviewer/disagreements?after=12").status_code == 400
    assert reviewer_client.get("/reviewer/disagreements?after=nan:3").status_code == 400
    assert reviewer_client.get("/reviewer/queue?grade=extreme").status_code == 422
    assert reviewer_client.get("/reviewer/queue?state=whatever").status_code == 422


def test_empty_queue_says_so(reviewer_client: TestClient) -> None:
    res = reviewer_client.get("/reviewer/queue")
    assert res.status_code == 200 and "No cases match these filters." in res.text


@pytest.mark.parametrize(
    ("f", "after", "index"),
    [
        (QueueFilter(), Cursor(50), None),
        (QueueFilter(grade="high"), Cursor(50), "ix_score_audit_grade_id"),
        (QueueFilter(grade="high", band="medium"), None, "ix_score_audit_grade_band_id"),
        (QueueFilter(band="medium"), Cursor(9), "ix_score_audit_band_id"),
        (QueueFilter(disagreements=True), Cursor(9, 0.5), "ix_score_audit_review_probability"),
    ],
)
def test_sqlite_pages_use_an_index_and_never_sort(
    app_client: TestClient, f: QueueFilter, after: Cursor | None, index: str | None
) -> None:
    engine = store_of(app_client).engine
    if engine.dialect.name != "sqlite":
        pytest.skip("query plans checked on SQLite")
    stmt = queue_statement(f, after, 51)
    compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        plan = " | ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "TEMP B-TREE" not in plan, plan
    if index:
        assert index in plan, plan
    else:
        assert "INTEGER PRIMARY KEY" in plan or "rowid" in plan.lower(), plan
