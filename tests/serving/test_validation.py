"""Bad input gets a 422 naming every bad field, never a 500."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.serving.helpers import bearer
from tests.serving.requests_util import case_request


@pytest.fixture
def post(client: TestClient, keys: dict[str, str]):  # type: ignore[no-untyped-def]
    def _post(body: object) -> tuple[int, list[list[object]]]:
        res = client.post("/v1/score", json=body, headers=bearer(keys["case_system"]))
        detail = res.json().get("detail", []) if res.status_code == 422 else []
        return res.status_code, [e["loc"] for e in detail]

    return _post


def _with_history(tables: dict[str, pd.DataFrame]) -> dict[str, object]:
    for i in range(len(tables["dash_assessments"])):
        body = case_request(tables, f"A{i}")
        if body["prior_incidents"] and body["history_events"] and body["prior_assessments"]:
            return body
    raise AssertionError("no case with every kind of history")


def test_unknown_answer_values_are_each_named(post, tables: dict[str, pd.DataFrame]) -> None:  # type: ignore[no-untyped-def]
    body = case_request(tables, "A5")
    body["assessment"]["answers"]["q3"] = "maybe"
    body["assessment"]["answers"]["q27"] = "YES"
    status, locs = post(body)
    assert status == 422
    assert ["body", "assessment", "answers", "q3"] in locs
    assert ["body", "assessment", "answers", "q27"] in locs


def test_missing_answer_is_named(post, tables: dict[str, pd.DataFrame]) -> None:  # type: ignore[no-untyped-def]
    body = case_request(tables, "A5")
    del body["assessment"]["answers"]["q9"]
    status, locs = post(body)
    assert status == 422 and ["body", "assessment", "answers", "q9"] in locs


def test_future_dates_are_rejected(post, tables: dict[str, pd.DataFrame]) -> None:  # type: ignore[no-untyped-def]
    body = case_request(tables, "A5")
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    body["incident"]["occurred_at"] = future
    body["assessment"]["completed_at"] = future
    status, locs = post(body)
    assert status == 422
    assert ["body", "incident", "occurred_at"] in locs
    assert ["body", "assessment", "completed_at"] in locs


def test_a_planned_order_end_may_lie_in_the_future(post, tables: dict[str, pd.DataFrame]) -> None:  # type: ignore[no-untyped-def]
    body = _with_history(tables)
    event = body["history_events"][0]
    event["kind"] = "licence_or_community_order"
    event["end_date"] = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    status, _ = post(body)
    assert status == 200
    event["end_date"] = "2300-01-01T00:00:00Z"
    status, locs = post(body)
    assert status == 422 and ["body", "history_events", 0, "end_date"] in locs


def test_history_after_the_incident_is_named_row_by_row(
    post, tables: dict[str, pd.DataFrame]
) -> None:  # type: ignore[no-untyped-def]
    body = _with_history(tables)
    late = (pd.Timestamp(body["assessment"]["completed_at"]) + pd.Timedelta(hours=1)).isoformat()
    body["prior_incidents"][0]["occurred_at"] = body["incident"]["occurred_at"]
    body["history_events"][-1]["event_date"] = late
    body["history_events"][-1]["end_date"] = None
    body["prior_assessments"][0]["completed_at"] = late
    status, locs = post(body)
    assert status == 422
    assert ["body", "prior_incidents", 0, "occurred_at"] in locs
    assert ["body", "history_events", len(body["history_events"]) - 1, "event_date"] in locs
    assert ["body", "prior_assessments", 0, "completed_at"] in locs


def test_assessment_before_incident_and_broken_links(post, tables: dict[str, pd.DataFrame]) -> None:  # type: ignore[no-untyped-def]
    body = _with_history(tables)
    body["assessment"]["completed_at"] = (
        pd.Timestamp(body["incident"]["occurred_at"]) - pd.Timedelta(minutes=1)
    ).isoformat()
    body["prior_assessments"][0]["incident_id"] = "I-unknown"
    status, locs = post(body)
    assert status == 422
    assert ["body", "assessment", "completed_at"] in locs
    assert ["body", "prior_assessments", 0, "incident_id"] in locs


def test_too_many_rows(post, tables: dict[str, pd.DataFrame]) -> None:  # type: ignore[no-untyped-def]
    body = _with_history(tables)
    body["history_events"] = [
        {**copy.deepcopy(body["history_events"][0]), "event_id": f"E{i}"} for i in range(1001)
    ]
    status, locs = post(body)
    assert status == 422 and ["body", "history_events"] in locs


def test_inconsistent_incident_and_unknown_vocabulary(
    post, tables: dict[str, pd.DataFrame]
) -> None:  # type: ignore[no-untyped-def]
    body = case_request(tables, "A5")
    body["incident"]["perpetrator_id"] = body["incident"]["victim_id"]
    body["incident"]["severity"] = 9
    body["assessment"]["officer_grade"] = "very high"
    body["incident"]["extra_field"] = "free text"
    status, locs = post(body)
    assert status == 422
    assert ["body", "incident", "severity"] in locs
    assert ["body", "assessment", "officer_grade"] in locs
    assert ["body", "incident", "extra_field"] in locs


@pytest.mark.parametrize(
    "body",
    [None, [], "text", {"incident": 1}, {"cases": []}],
    ids=["null", "list", "str", "int", "x"],
)
def test_malformed_bodies_are_422(post, body: object) -> None:  # type: ignore[no-untyped-def]
    assert post(body)[0] == 422


def test_the_one_pass_body_reports_the_errors_python_validation_does(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame]
) -> None:
    """The score route validates its JSON body in one pass; the batch route validates each case
    from Python objects. Both must name the same fields with the same errors."""
    body = _with_history(tables)
    body["assessment"]["answers"]["q3"] = "maybe"  # type: ignore[index]
    body["incident"]["severity"] = 9  # type: ignore[index]
    del body["assessment"]["officer_grade"]  # type: ignore[attr-defined]
    headers = bearer(keys["case_system"])
    single = client.post("/v1/score", json=body, headers=headers)
    batch = client.post("/v1/score/batch", json={"cases": [body]}, headers=headers)
    assert single.status_code == 422 and batch.status_code == 200
    one_pass = [(e["loc"], e["type"], e["msg"]) for e in single.json()["detail"]]
    item_errors = batch.json()["results"][0]["errors"]
    from_python = [(["body", *e["loc"]], e["type"], e["msg"]) for e in item_errors]
    assert one_pass == from_python and len(one_pass) == 3


def test_invalid_json_is_a_422_naming_the_body(client: TestClient, keys: dict[str, str]) -> None:
    headers = {**bearer(keys["case_system"]), "Content-Type": "application/json"}
    res = client.post("/v1/score", content=b'{"incident": ', headers=headers)
    assert res.status_code == 422
    (error,) = res.json()["detail"]
    assert error["type"] == "json_invalid" and error["loc"][0] == "body"


def _raw(client: TestClient, token: str, path: str, body: bytes) -> Any:
    headers = {**bearer(token), "Content-Type": "application/json"}
    return client.post(path, content=body, headers=headers)


@pytest.mark.parametrize("path", ["/v1/score", "/v1/score/batch"])
def test_a_body_that_is_not_utf8_is_a_400(
    client: TestClient, keys: dict[str, str], path: str
) -> None:
    for body in (b"\xff\xfe{}", b'{"incident": "\xff"}', b'{"cases": [{"x": "\xc3\x28"}]}'):
        res = _raw(client, keys["case_system"], path, body)
        assert res.status_code == 400 and "UTF-8" in res.json()["detail"], body


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_date_overflowing_utc_is_a_422_on_its_field(
    post, tables: dict[str, pd.DataFrame], when: str
) -> None:  # type: ignore[no-untyped-def]
    body = case_request(tables, "A5")
    body["assessment"]["completed_at"] = when
    status, locs = post(body)
    assert status == 422 and locs == [["body", "assessment", "completed_at"]]


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_422s(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame], literal: bytes
) -> None:
    body = json.dumps(case_request(tables, "A5")).encode()
    body = re.sub(rb'"severity": \d', b'"severity": ' + literal, body, count=1)
    for path, wrapped in (("/v1/score", body), ("/v1/score/batch", b'{"cases": [%s]}' % body)):
        res = _raw(client, keys["case_system"], path, wrapped)
        if path == "/v1/score":
            assert res.status_code == 422
            assert [e["loc"] for e in res.json()["detail"]] == [["body", "incident", "severity"]]
        else:
            assert res.status_code == 200 and res.json()["n_failed"] == 1


def test_422s_name_location_rule_and_message_only(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame]
) -> None:
    body = case_request(tables, "A5")
    body["incident"]["victim_id"] = "Jane Doe / 12 Acacia Avenue"  # breaks the id pattern
    body["incident"]["notes"] = "Z" * 5_000_000  # an unknown field, 5 MB long
    res = client.post("/v1/score", json=body, headers=bearer(keys["case_system"]))
    assert res.status_code == 422 and len(res.content) < 2000
    assert {tuple(sorted(e)) for e in res.json()["detail"]} == {("loc", "msg", "type")}
    assert "Jane" not in res.text and "ZZZ" not in res.text


def test_a_batch_scores_and_audits_every_case_but_the_failing_ones(
    client: TestClient,
    keys: dict[str, str],
    tables: dict[str, pd.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from serving import scoring_service

    cases = [case_request(tables, f"A{i}") for i in range(6)]
    cases[5]["assessment"]["completed_at"] = "0001-01-01T00:00:00+14:00"
    real = scoring_service.evaluate

    def crash_on_third(req, ctx):  # type: ignore[no-untyped-def]
        if req.assessment.assessment_id == "A2":
            raise RuntimeError("Victim-Jane-Doe")  # an internal failure naming a person
        return real(req, ctx)

    monkeypatch.setattr(scoring_service, "evaluate", crash_on_third)
    res = client.post("/v1/score/batch", json={"cases": cases}, headers=bearer(keys["admin"]))
    assert res.status_code == 403  # only case systems score
    res = client.post("/v1/score/batch", json={"cases": cases}, headers=bearer(keys["case_system"]))
    out = res.json()
    assert res.status_code == 200 and (out["n_ok"], out["n_failed"]) == (4, 2)
    failed = {r["index"]: r["errors"] for r in out["results"] if r["status"] == "error"}
    assert failed[2][0]["type"] == "internal_error" and "Jane" not in res.text
    assert failed[5][0]["loc"] == ["assessment", "completed_at"]
    audit = client.get(f"/v1/audit/requests/{out['request_id']}", headers=bearer(keys["admin"]))
    assert [r["item_index"] for r in audit.json()] == [0, 1, 3, 4]
