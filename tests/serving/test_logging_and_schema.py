"""No person id, name or free text in log lines; the request models mirror the vocabularies."""

from __future__ import annotations

import io
import json
import logging

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from features.dash import ANSWERS, QUESTION_IDS
from features.vocab import GRADES, HISTORY_KINDS, OFFENCE_CATEGORIES
from serving import schemas
from serving.examples import score_example
from tests.serving.helpers import bearer
from tests.serving.requests_util import case_request


def test_no_person_data_in_any_log_line(
    client: TestClient,
    keys: dict[str, str],
    tables: dict[str, pd.DataFrame],
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = case_request(tables, "A5")
    body["incident"]["victim_id"] = "Victim-Jane-Doe"
    body["incident"]["area"] = "Flat 3 Acacia Avenue"
    secrets = {"Victim-Jane-Doe", "Acacia", body["incident"]["perpetrator_id"], "OFF"}
    with caplog.at_level(logging.DEBUG):
        ok = client.post("/v1/score", json=body, headers=bearer(keys["case_system"]))
        bad = dict(body, incident={**body["incident"], "severity": "Jane Doe"})
        rejected = client.post("/v1/score", json=bad, headers=bearer(keys["case_system"]))
        client.post(
            "/v1/score/batch", json={"cases": [body, bad]}, headers=bearer(keys["case_system"])
        )
    assert ok.status_code == 200 and rejected.status_code == 422
    lines = [r.getMessage() for r in caplog.records]
    assert any("scored request_id=" in line for line in lines)
    for line in lines:
        for secret in secrets:
            assert secret not in line, line


def _enums(node: object) -> set[tuple[str, ...]]:
    if isinstance(node, dict):
        found = {tuple(node["enum"])} if "enum" in node else set()
        return found.union(*(_enums(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_enums(v) for v in node))
    return set()


def test_request_schema_lists_each_vocabulary() -> None:
    enums = _enums(schemas.ScoreRequest.model_json_schema())
    assert {ANSWERS, GRADES, OFFENCE_CATEGORIES, HISTORY_KINDS} <= enums
    assert tuple(schemas.DashAnswers.model_fields) == QUESTION_IDS


def test_the_openapi_example_is_a_valid_request() -> None:
    req = schemas.ScoreRequest.model_validate(score_example())
    from serving.case_builder import time_order_errors

    assert time_order_errors(req) == []


def test_openapi_has_examples_and_security(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/v1/score"]["post"]["requestBody"]["content"]["application/json"]
    assert "case_with_history" in body["examples"]
    assert {"HTTPBearer", "APIKeyHeader"} <= set(spec["components"]["securitySchemes"])
    assert "ScoreResponse" in spec["components"]["schemas"]


def test_the_filter_blanks_pydantic_inputs_person_fields_and_exception_messages() -> None:
    from pydantic import ValidationError

    from serving.json_logging import JsonFormatter, RedactPersonData

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactPersonData())
    log = logging.getLogger("tests.redaction")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.DEBUG)
    try:
        schemas.IncidentIn.model_validate({"victim_id": "Jane Doe", "area": 7})
    except ValidationError as exc:
        log.error("rejected: %s", exc)  # pydantic's text repeats every input value
        log.error("failed", exc_info=exc)
    log.warning("lookup", extra={"victim_id": "Jane Doe", "note": "'area': 'Jane Doe'"})
    log.info("case victim_id=Jane person_id: 'Jane Doe' kept=ok")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 4 and "Jane" not in stream.getvalue()
    assert lines[1]["exception"]["type"] == "ValidationError"
    assert "victim_id" not in lines[2] and lines[3]["message"].endswith("kept=ok")
