"""Bodies: refused over the limit while they stream (413 naming it), never read before a key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.security import create_key
from serving.settings import ServingSettings
from tests.serving.helpers import bearer
from tests.serving.requests_util import case_request

LIMIT = 64 * 1024


@pytest.fixture
def small(settings: ServingSettings) -> Iterator[TestClient]:
    """An app whose body limit is 64 KiB."""
    with TestClient(create_app(settings.model_copy(update={"max_body_bytes": LIMIT}))) as client:
        yield client


def _token(client: TestClient, role: str = "case_system") -> str:
    return create_key(client.app.state.services.store, role)[1]  # type: ignore[attr-defined]


class Sender:
    """An ASGI client sending a body in chunks, counting how many the app asked for."""

    def __init__(self, chunks: int, size: int = 16 * 1024) -> None:
        self.chunks, self.size, self.asked = chunks, size, 0
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        self.asked += 1
        if self.asked > self.chunks:
            return {"type": "http.disconnect"}
        more = self.asked < self.chunks
        return {"type": "http.request", "body": b"x" * self.size, "more_body": more}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def status(self) -> int:
        return int(next(m["status"] for m in self.sent if m["type"] == "http.response.start"))

    def body(self) -> dict[str, Any]:
        raw = b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")
        return dict(json.loads(raw))


def _call(client: TestClient, path: str, headers: dict[str, str], sender: Sender) -> None:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"transfer-encoding", b"chunked"), *raw],
        "client": ("127.0.0.9", 5000),
        "server": ("testserver", 80),
        "app": client.app,
    }
    asyncio.run(client.app(scope, sender.receive, sender.send))  # type: ignore[arg-type]


def test_a_declared_oversize_body_is_refused_naming_the_limit(small: TestClient) -> None:
    res = small.post("/v1/score/batch", content=b"x" * (LIMIT + 1))
    assert res.status_code == 413
    assert "65,536 bytes" in res.json()["detail"]
    metrics = small.get("/metrics", headers=bearer(_token(small, "admin"))).text
    assert 'route="/v1/* (refused before routing)"' in metrics  # never the raw path


def test_a_streamed_body_is_cut_off_at_the_limit(small: TestClient) -> None:
    sender = Sender(chunks=1000)  # 16 MB, never declared
    _call(small, "/v1/score/batch", bearer(_token(small)), sender)
    assert sender.status() == 413 and "65,536 bytes" in sender.body()["detail"]
    assert sender.asked <= LIMIT // sender.size + 1  # stopped reading as it passed the limit


@pytest.mark.parametrize("path", ["/v1/score", "/v1/score/batch", "/v1/admin/reload"])
def test_no_body_is_read_without_a_valid_key(small: TestClient, path: str) -> None:
    for headers in ({}, bearer("sl_kdeadbeef.wrong")):
        sender = Sender(chunks=3)
        _call(small, path, headers, sender)
        assert sender.status() == 401 and sender.asked == 0


def test_no_form_is_read_without_a_session(small: TestClient) -> None:
    sender = Sender(chunks=3)
    _call(small, "/reviewer/cases/1/reviews", {}, sender)
    assert sender.status() == 303 and sender.asked == 0


def test_a_reviewer_form_has_a_small_limit(small: TestClient) -> None:
    sender = Sender(chunks=10)  # 160 KiB of form
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    _call(small, "/reviewer/login", form, sender)
    assert sender.status() == 413


def test_the_default_limit_takes_a_1000_case_batch(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame]
) -> None:
    ids = tables["dash_assessments"]["assessment_id"].tolist()[:50]
    distinct = [case_request(tables, a) for a in ids]
    cases = [distinct[i % len(distinct)] for i in range(1000)]
    body = json.dumps({"cases": cases}).encode()
    assert len(body) < client.app.state.services.settings.max_body_bytes  # type: ignore[attr-defined]
    res = client.post(
        "/v1/score/batch",
        content=body,
        headers={**bearer(keys["case_system"]), "Content-Type": "application/json"},
    )
    assert res.status_code == 200 and len(res.json()["results"]) == 1000


def test_an_oversized_batch_is_refused_without_parsing(
    client: TestClient, keys: dict[str, str]
) -> None:
    body = b'{"cases": [' + b",".join([b'{"incident": {}}'] * 1_100_000) + b"]}"
    res = client.post("/v1/score/batch", content=body, headers=bearer(keys["case_system"]))
    assert res.status_code == 413 and len(res.content) < 500
