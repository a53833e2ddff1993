"""Seeding the queue in-process: every valid case recorded, rejected ones named without values."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from serving.model_loader import LoadedModel
from serving.web import record_cases


def test_record_cases_stores_valid_cases_and_names_rejected_fields(
    app_client: TestClient, loaded_model: LoadedModel, web_cases: list[dict[str, Any]]
) -> None:
    store = app_client.app.state.services.store  # type: ignore[attr-defined]
    bad = copy.deepcopy(web_cases[1])
    bad["assessment"]["answers"]["q4"] = "secret-free-text"
    cases = [web_cases[0], bad, web_cases[2]]
    outcome = record_cases(cases, loaded_model, store)
    assert (outcome.n_ok, outcome.n_failed) == (2, 1)
    assert len(outcome.rejections) == 1
    assert outcome.rejections[0].startswith("case 1: assessment.answers.q4")
    assert "secret-free-text" not in outcome.rejections[0]
    logged = store.audit_for_request(outcome.request_ids[0])
    assert [r.item_index for r in logged] == [0, 2]
