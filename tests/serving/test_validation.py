"""Bad input gets a 422 naming every bad field, never a 500."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

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
