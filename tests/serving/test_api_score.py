"""Scoring end to end over the ASGI app: auth, the response's parts, the audit record, metrics."""

from __future__ import annotations

import hashlib
import json
import math

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from features.rules import ADVISORY_NOTE
from serving.schemas import ScoreRequest
from tests.serving.helpers import bearer
from tests.serving.requests_util import case_request


def test_score_requires_a_key(client: TestClient, tables: dict[str, pd.DataFrame]) -> None:
    body = case_request(tables, "A5")
    assert client.post("/v1/score", json=body).status_code == 401
    bad = client.post("/v1/score", json=body, headers=bearer("sl_nope.secret"))
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == "Bearer"


def test_wrong_role_is_forbidden(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame]
) -> None:
    body = case_request(tables, "A5")
    for role in ("reviewer", "researcher", "admin"):
        assert client.post("/v1/score", json=body, headers=bearer(keys[role])).status_code == 403


def test_score_returns_statutory_model_and_recommendation(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame]
) -> None:
    res = client.post(
        "/v1/score", json=case_request(tables, "A5"), headers=bearer(keys["case_system"])
    )
    assert res.status_code == 200, res.text
    out = res.json()
    assert out["request_id"] == res.headers["x-request-id"]
    st, model, rec = out["statutory"], out["model"], out["recommendation"]
    assert st["grade"] in ("standard", "medium", "high") and st["rules_version"]
    assert rec["grade"] == st["grade"]  # the model never changes the statutory grade
    assert {a["rule_id"] for a in st["actions"]} <= {a["rule_id"] for a in rec["actions"]}
    assert rec["advisory_note"] == ADVISORY_NOTE
    assert 0.0 <= model["probability"] <= 1.0 and model["band"] in ("standard", "medium", "high")
    total = model["base_value"] + model["remaining_log_odds"]
    total += sum(c["log_odds"] for c in model["contributions"])
    assert math.isclose(total, model["raw_score"], abs_tol=1e-9)
    assert len(model["contributions"]) == 5 and "log-odds" in model["note"]
    for c in model["contributions"]:
        assert c["description"] and c["direction"] in ("raises", "lowers", "none")


def test_x_api_key_header_works(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame]
) -> None:
    res = client.post(
        "/v1/score", json=case_request(tables, "A7"), headers={"X-API-Key": keys["case_system"]}
    )
    assert res.status_code == 200, res.text


def test_every_score_is_audited_with_its_response(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame]
) -> None:
    body = case_request(tables, "A9")
    res = client.post("/v1/score", json=body, headers=bearer(keys["case_system"]))
    out = res.json()
    records = client.get(
        f"/v1/audit/requests/{out['request_id']}", headers=bearer(keys["reviewer"])
    )
    assert records.status_code == 200
    (row,) = records.json()
    assert json.loads(row["response_json"]) == out
    assert row["response_json"] == res.text
    canonical = ScoreRequest.model_validate(body).model_dump_json().encode()
    assert row["input_sha256"] == hashlib.sha256(canonical).hexdigest()
    assert row["caller_key_id"] == keys["case_system"].removeprefix("sl_").split(".")[0]
    assert row["model_version"] == out["model_version"]
    assert row["rules_version"] == out["statutory"]["rules_version"]
    assert row["statutory_grade"] == out["statutory"]["grade"]
    assert row["model_band"] == out["model"]["band"]
    assert row["model_probability"] == out["model"]["probability"]
    assert row["review_suggested"] == out["recommendation"]["review_suggested"]
    for role in ("case_system", "researcher"):  # researchers get aggregates only
        url = f"/v1/audit/requests/{out['request_id']}"
        assert client.get(url, headers=bearer(keys[role])).status_code == 403


def test_audit_summary_counts_scores(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame]
) -> None:
    for aid in ("A1", "A2", "A3"):
        client.post(
            "/v1/score", json=case_request(tables, aid), headers=bearer(keys["case_system"])
        )
    summary = client.get("/v1/audit/summary", headers=bearer(keys["researcher"])).json()
    assert summary["total"] == 3


def test_batch_reports_a_failing_case_by_index(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame]
) -> None:
    good = [case_request(tables, f"A{i}") for i in range(4)]
    bad = case_request(tables, "A10")
    bad["assessment"]["answers"]["q3"] = "maybe"
    res = client.post(
        "/v1/score/batch",
        json={"cases": [*good[:2], bad, *good[2:]]},
        headers=bearer(keys["case_system"]),
    )
    assert res.status_code == 200, res.text
    out = res.json()
    assert (out["n_ok"], out["n_failed"]) == (4, 1)
    failed = out["results"][2]
    assert failed["status"] == "error" and failed["index"] == 2
    assert ["assessment", "answers", "q3"] in [e["loc"] for e in failed["errors"]]
    single = client.post("/v1/score", json=good[0], headers=bearer(keys["case_system"])).json()
    first = out["results"][0]["result"]
    assert first["statutory"] == single["statutory"]
    assert first["model"] == single["model"]
    audit = client.get(f"/v1/audit/requests/{out['request_id']}", headers=bearer(keys["admin"]))
    assert [r["item_index"] for r in audit.json()] == [0, 1, 3, 4]


def test_batch_limit_is_1000(client: TestClient, keys: dict[str, str]) -> None:
    res = client.post(
        "/v1/score/batch", json={"cases": [{}] * 1001}, headers=bearer(keys["case_system"])
    )
    assert res.status_code == 422
    assert res.json()["detail"][0]["loc"] == ["body", "cases"]


def test_metrics_count_requests_and_grades(
    client: TestClient, keys: dict[str, str], tables: dict[str, pd.DataFrame]
) -> None:
    client.post("/v1/score", json=case_request(tables, "A5"), headers=bearer(keys["case_system"]))
    client.post("/v1/score", json={}, headers=bearer(keys["case_system"]))
    assert client.get("/metrics").status_code == 401  # admin key only
    assert client.get("/metrics", headers=bearer(keys["reviewer"])).status_code == 403
    text = client.get("/metrics", headers=bearer(keys["admin"])).text
    assert 'secondlook_requests_total{outcome="ok",route="/v1/score"} 1.0' in text
    assert 'secondlook_requests_total{outcome="client_error",route="/v1/score"} 1.0' in text
    assert "secondlook_request_seconds_bucket" in text
    assert "secondlook_scores_total{" in text
    assert "secondlook_audit_commits_total 1.0" in text  # one scored request, one commit
    assert "secondlook_audit_rows_total 1.0" in text


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"model_loaded": True, "database": True}


def test_audit_failure_means_no_answer(
    client: TestClient,
    keys: dict[str, str],
    tables: dict[str, pd.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = client.app.state.services.store  # type: ignore[attr-defined]

    def broken(rows: object) -> None:
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(store, "record_scores", broken)
    res = client.post(
        "/v1/score", json=case_request(tables, "A5"), headers=bearer(keys["case_system"])
    )
    assert res.status_code == 503
    assert "statutory" not in res.text


def test_not_ready_when_the_database_is_down(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = client.app.state.services.store  # type: ignore[attr-defined]
    monkeypatch.setattr(store, "ping", lambda: False)
    res = client.get("/readyz")
    assert res.status_code == 503
    assert res.json()["checks"]["database"] is False
