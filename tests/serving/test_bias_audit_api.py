"""``GET /v1/audit`` (summary, pages, ``/report``): the bias audit attached to the model's run.

The fixture registers the session's model under a second name with a run of its own, audits
that model on a small generated cohort with ``bias_audit.run_model_audit`` (scores from the model
itself) and attaches the report to the run; the shared model keeps no audit (the 404 case).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from mlflow.tracking import MlflowClient

import features.synthetic as synthetic
from bias_audit import AuditConfig, registered_model_run, run_model_audit
from bias_audit.report import ARTIFACT_DIR, HTML_FILE, JSON_FILE
from features.engine import build_features
from serving import model_loader
from serving.app import create_app
from serving.model_loader import load_model
from serving.security import ROLES, create_key
from serving.settings import ServingSettings
from tests.serving.model_factory import RegisteredModel

AUDITED = "secondlook-bias-audit-test"
MIN_PEOPLE = 10


def _register_copy(registered: RegisteredModel, name: str) -> str:
    """Register the session's model under ``name`` with a fresh run; return that run's id."""
    client = MlflowClient(registered.tracking_uri, registered.tracking_uri)
    source = client.get_model_version(registered.name, registered.version)
    assert source.run_id and source.source
    experiment = client.get_run(source.run_id).info.experiment_id
    run = client.create_run(experiment, run_name=f"{name}-run")
    client.create_registered_model(name)
    version = client.create_model_version(name, source.source, run_id=run.info.run_id)
    client.set_registered_model_alias(name, "champion", version.version)
    return str(run.info.run_id)


def _settings(registered: RegisteredModel, name: str, tmp: Path) -> ServingSettings:
    return ServingSettings(
        database_url=f"sqlite:///{tmp / 'serving.db'}",
        tracking_uri=registered.tracking_uri,
        model_name=name,
        model_ref="champion",
    )


def _model_scores(settings: ServingSettings, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    model = load_model(settings)
    features = build_features(tables)
    rows = features[list(model.feature_names)].to_numpy()
    probability = model.scorer.score(rows, explain=False).probability
    ids = tables["dash_assessments"]["assessment_id"].to_numpy()
    return pd.DataFrame({"assessment_id": ids, "model": probability})


@pytest.fixture(scope="module")
def audited(
    registered: RegisteredModel, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ServingSettings, Any]:
    """Audit a copy of the session's model on a small cohort; attach it to its run."""
    tmp = tmp_path_factory.mktemp("bias-audit")
    run_id = _register_copy(registered, AUDITED)
    settings = _settings(registered, AUDITED, tmp)
    cohort = synthetic.generate_cohort(2_000, 5)
    tables = dict(cohort.tables)
    model = load_model(settings)
    out = run_model_audit(
        tables,
        _model_scores(settings, tables),
        {"model": model.scorer.spec.bands.high},
        tmp / "report",
        run_id=run_id,
        tracking_uri=registered.tracking_uri,
        config=AuditConfig(n_boot=50, person_column="victim_id", min_people=MIN_PEOPLE),
        observed_until=cohort.metadata["observed_until"],
        audited={"model_name": AUDITED, "model_version": model.version},
    )
    return settings, out


@pytest.fixture(scope="module")
def api(audited: tuple[ServingSettings, Any]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with TestClient(create_app(audited[0])) as client:
        store = client.app.state.services.store  # type: ignore[attr-defined]
        yield client, {role: create_key(store, role)[1] for role in ROLES}


def _get(api: tuple[TestClient, dict[str, str]], path: str, role: str) -> Any:
    client, keys = api
    return client.get(path, headers={"Authorization": f"Bearer {keys[role]}"})


def test_artifact_names_match_the_audit_package() -> None:
    assert model_loader.BIAS_AUDIT_DIR == ARTIFACT_DIR
    assert (model_loader.BIAS_AUDIT_JSON, model_loader.BIAS_AUDIT_HTML) == (JSON_FILE, HTML_FILE)


def _all_pages(api: Any, path: str, limit: int = 7) -> list[dict[str, Any]]:
    """Page through a list endpoint with a small page size; return every item in order."""
    items: list[dict[str, Any]] = []
    while True:
        sep = "&" if "?" in path else "?"
        page = _get(api, f"{path}{sep}offset={len(items)}&limit={limit}", "researcher").json()
        assert page["offset"] == len(items) and len(page["items"]) <= limit
        items += page["items"]
        if len(items) >= page["total"]:
            assert len(items) == page["total"]
            return items


def test_researcher_gets_the_summary_and_the_pages_rebuild_the_audit(
    api: Any, audited: Any
) -> None:
    response = _get(api, "/v1/audit", "researcher")
    assert response.status_code == 200
    body = response.json()
    assert body["model_name"] == AUDITED and body["run_id"] == audited[1].run_id
    whole = audited[1].result.to_dict()
    summary = body["summary"]
    assert "groups" not in summary and "disparities" not in summary
    assert "officers" not in summary["officer_effect"]
    assert {s["name"] for s in summary["scorers"]} == {"statutory grade", "officer grade", "model"}
    assert summary["audited"]["thresholds"]["model"] > 0
    assert summary["officer_effect"]["n_officers"] > 0
    assert summary["disclosure"] == whole["disclosure"]
    assert summary["flagged"] == [d for d in whole["disparities"] if d["flagged"]]
    assert len(response.content) < len(json.dumps(whole)) / 5
    rebuilt = []
    for table in body["tables"]:
        path = (
            f"/v1/audit/groups?scorer={quote(table['scorer'])}&grouping={quote(table['grouping'])}"
        )
        groups = _all_pages(api, path)
        assert len(groups) == table["groups"]
        rebuilt.append((table["scorer"], table["grouping"], groups))
    assert rebuilt == [(b["scorer"], b["grouping"], b["groups"]) for b in whole["groups"]]
    assert _all_pages(api, "/v1/audit/disparities", 50) == whole["disparities"]
    assert body["disparities"] == len(whole["disparities"])
    officers = _all_pages(api, "/v1/audit/officers", 25)
    assert officers == whole["officer_effect"]["officers"] and body["officers"] == len(officers)
    assert _get(api, "/v1/audit", "admin").status_code == 200


def test_bad_page_requests_are_clear_4xx(api: Any) -> None:
    for path, field in (
        ("/v1/audit/disparities?limit=0", "limit"),
        ("/v1/audit/officers?limit=100000", "limit"),
        ("/v1/audit/groups?scorer=model&grouping=sex&offset=-1", "offset"),
    ):
        response = _get(api, path, "researcher")
        assert response.status_code == 422 and field in response.text
    missing = _get(api, "/v1/audit/groups?scorer=nobody-x&grouping=sex", "researcher")
    assert missing.status_code == 404 and "nobody-x" not in missing.text
    assert _get(api, "/v1/audit/groups?scorer=model", "researcher").status_code == 422


@pytest.mark.parametrize("role", ["case_system", "reviewer"])
def test_other_roles_are_refused(api: Any, role: str) -> None:
    assert _get(api, "/v1/audit", role).status_code == 403
    assert _get(api, "/v1/audit/report", role).status_code == 403
    assert api[0].get("/v1/audit").status_code == 401


def test_small_cells_are_suppressed_in_what_the_api_returns(api: Any) -> None:
    summary = _get(api, "/v1/audit", "researcher").json()
    settings = summary["summary"]["settings"]
    assert settings["min_people"] == MIN_PEOPLE
    suppressed: set[tuple[str, str]] = set()
    shown = 0
    for table in summary["tables"]:
        path = (
            f"/v1/audit/groups?scorer={quote(table['scorer'])}&grouping={quote(table['grouping'])}"
        )
        for group in _all_pages(api, path, 100):
            if group["suppressed"]:
                assert set(group) == {"label", "suppressed"}  # no counts, no figures
                suppressed.add((table["grouping"], group["label"]))
            else:
                assert group["people"] >= MIN_PEOPLE and group["events"] >= settings["min_events"]
                shown += 1
                for cal in group["calibration"] or []:
                    assert cal["n"] >= MIN_PEOPLE and cal["events"] >= settings["min_events"]
    assert suppressed and shown  # the cohort has small cells (e.g. intersections) to hide
    for d in _all_pages(api, "/v1/audit/disparities", 200):
        assert (d["grouping"], d["group"]) not in suppressed
        assert (d["grouping"], d["reference"]) not in suppressed
    for officer in _all_pages(api, "/v1/audit/officers", 200):
        assert officer["officer"].startswith("officer ") and officer["assessments"] >= MIN_PEOPLE


def test_report_is_the_attached_html(api: Any) -> None:
    response = _get(api, "/v1/audit/report", "researcher")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.text.startswith("<!DOCTYPE html>") and AUDITED in response.text


def test_scoring_audit_routes_still_answer(api: Any) -> None:
    summary = _get(api, "/v1/audit/summary", "researcher")
    assert summary.status_code == 200 and summary.json()["total"] == 0
    missing = _get(api, "/v1/audit/requests/00000000-0000-0000-0000-000000000000", "reviewer")
    assert missing.status_code == 404


def test_no_audit_attached_is_a_clear_404(registered: RegisteredModel, tmp_path: Path) -> None:
    name = "secondlook-unaudited-test"
    _register_copy(registered, name)
    with TestClient(create_app(_settings(registered, name, tmp_path))) as client:
        key = create_key(client.app.state.services.store, "researcher")[1]  # type: ignore[attr-defined]
        for path in ("/v1/audit", "/v1/audit/report", "/v1/audit/disparities"):
            response = client.get(path, headers={"X-API-Key": key})
            assert response.status_code == 404
            detail = response.json()["detail"]
            assert detail.startswith(f"no bias audit attached to model {name} version 1;")
            assert "secondlook audit" in detail


def test_registered_model_run_finds_the_audited_run(
    registered: RegisteredModel, audited: Any
) -> None:
    found = registered_model_run(AUDITED, "champion", registered.tracking_uri)
    assert found == {"name": AUDITED, "version": "1", "run_id": audited[1].run_id}
    assert audited[1].artifact_uri == f"runs:/{audited[1].run_id}/audit"
