"""Marker strings sent through every route and failure path reach no log line and no error body.

The logging is configured as ``secondlook serve`` configures it (JSON lines, the person-data
filter); the markers stand for a victim's id, a name, an address and free text.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from serving.app import create_app
from serving.json_logging import configure_logging
from serving.security import ROLES, create_key
from serving.settings import ServingSettings
from tests.serving.helpers import bearer
from tests.serving.requests_util import case_request
from tests.web.web_util import case_ids, csrf_of, login

MARKERS = ("Victim-Jane-Doe", "Jane Doe", "Acacia Avenue", "told me he would kill")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Logging as the server configures it, into a buffer; the test's handlers come back after."""
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    buffer = io.StringIO()
    configure_logging("DEBUG", buffer)
    yield buffer
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved:
        root.addHandler(handler)
    root.setLevel(level)


@pytest.fixture
def app(settings: ServingSettings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    secret = SecretStr("marker-test-secret")
    with TestClient(
        create_app(settings.model_copy(update={"web_session_secret": secret})),
        base_url="https://testserver",
    ) as client:
        store = client.app.state.services.store  # type: ignore[attr-defined]
        yield client, {role: create_key(store, role)[1] for role in ROLES}


def _marked_case(tables: dict[str, pd.DataFrame], name: str) -> dict[str, Any]:
    body = case_request(tables, name)
    body["incident"]["victim_id"] = "Victim-Jane-Doe"
    body["incident"]["area"] = "Acacia Avenue"
    return body


def _api_calls(client: TestClient, keys: dict[str, str], good: dict[str, Any]) -> list[Any]:
    case = bearer(keys["case_system"])
    bad = {**good, "incident": {**good["incident"], "severity": "Jane Doe", "note": MARKERS[3]}}
    overflow = {**good, "assessment": {**good["assessment"], "officer_id": "Jane Doe"}}
    return [
        client.post("/v1/score", json=good, headers=case),
        client.post("/v1/score", json=bad, headers=case),
        client.post("/v1/score", content=b'{"x": "Jane Doe \xff"}', headers=case),
        client.post("/v1/score/batch", json={"cases": [good, bad, overflow]}, headers=case),
        client.post("/v1/score/batch", json={"cases": [bad] * 1001}, headers=case),
        client.post("/v1/score", content=b'{"Jane Doe": "' + b"A" * 2**24 + b'"}', headers=case),
        client.get("/v1/audit/requests/Victim-Jane-Doe", headers=bearer(keys["admin"])),
        client.get("/v1/audit/summary?who=Jane+Doe", headers=bearer(keys["researcher"])),
        client.get("/v1/model", headers={"X-API-Key": "sl_Jane Doe.Acacia Avenue"}),
        client.get("/v1/audit", headers=bearer("sl_kJaneDoe.told me he would kill")),
        client.get("/v1/Victim-Jane-Doe"),
        client.post("/v1/admin/reload", json={"Jane Doe": 1}, headers=bearer(keys["admin"])),
        client.get("/metrics", headers=bearer(keys["admin"])),
        client.get("/readyz?Jane+Doe=1"),
    ]


def _page_calls(client: TestClient, keys: dict[str, str]) -> list[Any]:
    calls = [login(client, "Jane Doe, Acacia Avenue"), login(client, keys["reviewer"], "/Jane")]
    queue = client.get("/reviewer/queue")
    audit_id = case_ids(queue.text)[0]  # a case scored above
    calls.append(client.get("/reviewer/queue?after=Victim-Jane-Doe"))
    for data in (
        {"decision": "raise", "raised_to": "Jane Doe", "reason": MARKERS[3]},
        {"decision": "agree", "reason": MARKERS[3]},
        {"decision": "agree", "reason": MARKERS[3], "csrf_token": "Jane Doe"},
    ):
        form = {"csrf_token": csrf_of(queue.text), **data}
        calls.append(client.post(f"/reviewer/cases/{audit_id}/reviews", data=form))
    calls.append(client.get("/reviewer/queue?grade=Jane+Doe"))
    return calls


def test_markers_reach_no_log_line_and_no_error_body(
    app: tuple[TestClient, dict[str, str]],
    tables: dict[str, pd.DataFrame],
    json_log: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, keys = app
    good = _marked_case(tables, "A5")
    responses = _api_calls(client, keys, good)
    responses += _page_calls(client, keys)
    responses += _failure_paths(client, keys, good, monkeypatch)
    codes = {r.status_code for r in responses}
    assert {200, 400, 401, 403, 404, 413, 422, 500, 503} <= codes, codes
    for res in responses:
        # a refused review shows the signed-in reviewer the case (and their text) again: by design
        refused_review = res.status_code == 422 and res.request.url.path.endswith("/reviews")
        if res.status_code >= 400 and not refused_review:
            for marker in MARKERS:
                assert marker not in res.text, (res.request.url.path, res.status_code)
    lines = json_log.getvalue().splitlines()
    assert any('"route": "/v1/score"' in line for line in lines)
    for line in lines:
        if json.loads(line)["logger"] == "httpx":  # every line is JSON; httpx is the test client
            continue
        for marker in MARKERS:
            assert marker not in line, line


def _failure_paths(
    client: TestClient, keys: dict[str, str], good: dict[str, Any], mp: pytest.MonkeyPatch
) -> list[httpx.Response]:
    """The 500 and 503 paths, and a batch case failing inside scoring, each naming a person."""
    from serving import scoring_service
    from serving.db.audit_log_writer import AuditLogUnavailableError

    services = client.app.state.services  # type: ignore[attr-defined]
    case = bearer(keys["case_system"])

    def crash(*_args: Any) -> Any:
        raise ValueError(f"victim_id={good['incident']['victim_id']} Jane Doe, Acacia Avenue")

    async def unavailable(*_args: Any) -> None:
        raise AuditLogUnavailableError("Jane Doe")

    with mp.context() as patched:
        patched.setattr(scoring_service, "evaluate", crash)
        batch = client.post("/v1/score/batch", json={"cases": [good]}, headers=case)
    with mp.context() as patched:
        patched.setattr("serving.api.score.score_case", crash)
        plain = TestClient(client.app, raise_server_exceptions=False)  # no second lifespan
        server_error = plain.post("/v1/score", json=good, headers=case)
    with mp.context() as patched:
        patched.setattr(services.audit_log, "write", unavailable)
        down = client.post("/v1/score", json=good, headers=case)
    assert batch.json()["n_failed"] == 1 and down.status_code == 503
    return [batch, server_error, down]


def _events(log: io.StringIO) -> list[str]:
    return [e for line in log.getvalue().splitlines() if (e := json.loads(line).get("event"))]


def test_each_security_event_is_one_line(
    app: tuple[TestClient, dict[str, str]], tables: dict[str, pd.DataFrame], json_log: io.StringIO
) -> None:
    client, keys = app
    services = client.app.state.services  # type: ignore[attr-defined]
    services.throttle.max_failures = 2
    case = bearer(keys["case_system"])
    scored = client.post("/v1/score", json=case_request(tables, "A5"), headers=case)
    login(client, "sl_k000000000000.wrong")
    login(client, keys["reviewer"])
    page = client.get("/reviewer/cases/1")
    raise_ = {"decision": "raise", "raised_to": "high", "reason": "r"}
    data = {**raise_, "csrf_token": csrf_of(page.text)}
    page = client.post("/reviewer/cases/1/reviews", data=data)
    data = {"decision": "agree", "reason": "r", "csrf_token": csrf_of(page.text)}
    page = client.post("/reviewer/cases/1/reviews", data=data)
    client.post("/reviewer/logout", data={"csrf_token": csrf_of(page.text)})
    request_id = scored.headers["x-request-id"]
    client.get(f"/v1/audit/requests/{request_id}", headers=bearer(keys["admin"]))
    client.post("/v1/admin/reload", headers=bearer(keys["admin"]))
    for _ in range(2):  # with the failed sign-in, the first locks the address out
        client.get("/v1/model", headers=bearer("sl_k111111111111.wrong"))
    once = (
        "sign_in_failed",
        "sign_in_succeeded",
        "grade_raised",
        "review_recorded",
        "signed_out",
        "export",
        "model_reloaded",
        "api_key_locked_out",
    )
    events = _events(json_log)
    assert {e: events.count(e) for e in once} == dict.fromkeys(once, 1), events
    assert events.count("api_key_refused") == 1  # the second was refused unchecked (429)


def test_key_commands_log_one_event_each(tmp_path: Any, json_log: io.StringIO) -> None:
    from typer.testing import CliRunner

    from secondlook_cli.main import app as cli

    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'keys.db'}"}
    created = CliRunner().invoke(cli, ["keys", "create", "--role", "reviewer"], env=env)
    key_id = created.stdout.split()[2]
    revoked = CliRunner().invoke(cli, ["keys", "revoke", key_id], env=env)
    assert created.exit_code == 0 and revoked.exit_code == 0
    lines = [json.loads(x) for x in (created.stderr + revoked.stderr).splitlines()]
    assert [(x["event"], x["key_id"]) for x in lines] == [
        ("key_created", key_id),
        ("key_revoked", key_id),
    ]
