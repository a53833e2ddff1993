"""Helpers for the reviewer-page tests: sign in, read CSRF tokens, score and insert cases."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from serving.db.models import ScoreAudit
from serving.db.store import AuditRow, Store
from tests.serving.helpers import bearer

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient wants httpx2; same client otherwise
    from fastapi.testclient import TestClient as TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """Return the first CSRF token in a page."""
    found = CSRF.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def login(client: TestClient, token: str, next_path: str = "") -> Any:
    """Sign in with an API key through the form; return the POST's response (not followed)."""
    page = client.get("/reviewer/login")
    data = {"api_key": token, "csrf_token": csrf_of(page.text), "next": next_path}
    return client.post("/reviewer/login", data=data, follow_redirects=False)


def store_of(client: TestClient) -> Store:
    """Return the app's store."""
    store: Store = client.app.state.services.store  # type: ignore[attr-defined]
    return store


def score_cases(client: TestClient, token: str, cases: list[dict[str, Any]]) -> list[int]:
    """Score request bodies through the batch API; return their audit ids."""
    res = client.post("/v1/score/batch", json={"cases": cases}, headers=bearer(token))
    assert res.status_code == 200 and res.json()["n_ok"] == len(cases), res.text
    request_id = res.json()["request_id"]
    stmt = select(ScoreAudit.id).where(ScoreAudit.request_id == request_id)
    with store_of(client).engine.connect() as conn:
        return sorted(int(i) for i in conn.execute(stmt.order_by(ScoreAudit.item_index)).scalars())


def synthetic_rows(
    specs: list[tuple[str, str, float]], response_json: str, start: datetime | None = None
) -> list[AuditRow]:
    """Audit rows with chosen (statutory grade, model band, probability), one second apart."""
    t0 = start or datetime(2026, 1, 1, tzinfo=UTC)
    rank = {"standard": 0, "medium": 1, "high": 2}
    return [
        AuditRow(
            request_id=f"00000000-0000-4000-8000-{i:012d}",
            item_index=0,
            caller_key_id="kseed",
            created_at=t0 + timedelta(seconds=i),
            model_name="m",
            model_version="1",
            rules_version="r1",
            assessment_id=f"SYN{i}",
            input_sha256="0" * 64,
            statutory_grade=g,
            model_band=b,
            model_probability=p,
            review_suggested=rank[b] > rank[g],
            response_json=response_json,
        )
        for i, (g, b, p) in enumerate(specs)
    ]


CASE_LINK = re.compile(r'href="/reviewer/cases/(\d+)"')
NEXT_LINK = re.compile(r'<a href="([^"]+)" rel="next">')


def case_ids(html: str) -> list[int]:
    """Return the case ids listed on a queue page, in order."""
    return [int(i) for i in CASE_LINK.findall(html)]


def walk_pages(client: TestClient, url: str) -> list[list[int]]:
    """Follow the 'Next page' links from ``url``; return each page's case ids."""
    pages = []
    while url:
        res = client.get(url.replace("&amp;", "&"))
        assert res.status_code == 200, res.text
        pages.append(case_ids(res.text))
        found = NEXT_LINK.search(res.text)
        url = found.group(1) if found else ""
    return pages


def insert_synthetic(client: TestClient, specs: list[tuple[str, str, float]]) -> list[int]:
    """Insert audit rows with chosen grade, band and probability; return their ids in order."""
    store = store_of(client)
    rows = synthetic_rows(specs, "{}")
    store.record_scores(rows)
    stmt = select(ScoreAudit.id).where(ScoreAudit.assessment_id.like("SYN%"))
    with store.engine.connect() as conn:
        return sorted(int(i) for i in conn.execute(stmt).scalars())
