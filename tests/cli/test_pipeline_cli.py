"""The CLI end to end on a small generated cohort: run, keys, serve refusal, errors."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

import features.engine.batch as engine_batch
import features.rules.engine as rules_engine
from features.io import read_cohort
from features.labels import PRIMARY_LABEL
from secondlook_cli.main import app
from serving.cohort_requests import case_request
from serving.db.models import ScoreAudit
from serving.db.session import make_engine
from serving.db.store import Store
from serving.security import KeyVerifier

runner = CliRunner()
VICTIMS = 1500
SAMPLES = 120
TOKEN = re.compile(r"sl_k[0-9a-f]+\.[A-Za-z0-9_\-]+")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A working directory with its own MLflow store and audit database."""
    root = tmp_path_factory.mktemp("cli")
    patch = pytest.MonkeyPatch()
    patch.chdir(root)
    patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
    patch.setenv("DATABASE_URL", f"sqlite:///{root / 'audit.db'}")
    yield root
    patch.undo()


COHORT_WIDE: dict[str, int] = {"graded": 0, "featured": 0}


def _counting(module: Any, name: str, key: str) -> None:
    inner = getattr(module, name)

    def counted(tables: Any, *args: Any, **kwargs: Any) -> Any:
        if len(tables["dash_assessments"]) > 1:  # a whole cohort, not one case
            COHORT_WIDE[key] += 1
        return inner(tables, *args, **kwargs)

    setattr(module, name, counted)


@pytest.fixture(scope="module")
def ran(workdir: Path) -> Iterator[str]:
    """Output of ``secondlook run`` without the server at the end (cohort-wide work counted)."""
    args = ["run", "--victims", str(VICTIMS), "--samples", str(SAMPLES), "--boot", "60"]
    args.append("--no-serve")
    patch = pytest.MonkeyPatch()
    patch.setattr(rules_engine, "table_inputs", rules_engine.table_inputs)  # undone after
    patch.setattr(engine_batch, "encode_tables", engine_batch.encode_tables)
    _counting(rules_engine, "table_inputs", "graded")
    _counting(engine_batch, "encode_tables", "featured")
    result = runner.invoke(app, args)
    patch.undo()
    assert result.exit_code == 0, result.output
    yield result.output


def test_run_grades_the_cohort_and_builds_its_features_once(ran: str) -> None:
    assert COHORT_WIDE == {"graded": 1, "featured": 1}


def _verifier(workdir: Path) -> KeyVerifier:
    return KeyVerifier(Store(make_engine(f"sqlite:///{workdir / 'audit.db'}")), 0.0)


def test_serve_refuses_without_a_registered_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'audit.db'}")
    result = runner.invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "secondlook train" in result.output


def test_run_writes_a_valid_cohort_and_one_grade_per_assessment(ran: str, workdir: Path) -> None:
    tables = read_cohort(workdir / "data")
    grades = pd.read_parquet(workdir / "out" / "grades.parquet")
    assert len(grades) == len(tables["dash_assessments"]) > 0
    assert set(grades["statutory_grade"]) <= {"standard", "medium", "high"}


def test_run_registers_a_model_and_fills_the_audit_log(ran: str, workdir: Path) -> None:
    uri = f"sqlite:///{workdir / 'mlflow.db'}"
    versions = MlflowClient(tracking_uri=uri).search_model_versions()
    assert [v.name for v in versions] == [f"secondlook-{PRIMARY_LABEL}"]
    engine = create_engine(f"sqlite:///{workdir / 'audit.db'}")
    with engine.connect() as conn:
        logged = conn.execute(select(func.count()).select_from(ScoreAudit)).scalar_one()
    assert logged == SAMPLES
    assert "AUC gain over DASH" in ran


def test_run_audits_the_test_period_and_attaches_the_report(ran: str, workdir: Path) -> None:
    uri = f"sqlite:///{workdir / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    (version,) = client.search_model_versions()
    run = client.get_run(str(version.run_id))
    attached = {a.path for a in client.list_artifacts(run.info.run_id, "audit")}
    assert attached == {"audit/audit_report.html", "audit/audit_report.json"}
    figures = json.loads((workdir / "out" / "audit" / "audit_report.json").read_text())
    since = pd.Timestamp(figures["audited"]["assessments_since"])
    assert since == pd.Timestamp(run.data.params["split_test_start"])
    assert figures["audited"]["model_version"] == str(version.version)


def test_audit_cohort_can_audit_every_complete_assessment(ran: str, workdir: Path) -> None:
    out = workdir / "out" / "all"
    args = ["audit", "cohort", "data", "--since", "all", "--no-attach", "--boot", "40"]
    result = runner.invoke(app, [*args, "--model-ref", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    everything = json.loads((out / "audit_report.json").read_text())
    tested = json.loads((workdir / "out" / "audit" / "audit_report.json").read_text())
    assert everything["audited"]["assessments_since"] is None
    assert everything["n_rows"] > tested["n_rows"] > 0


def test_run_prints_a_reviewer_key_that_works(ran: str, workdir: Path) -> None:
    token = TOKEN.search(ran)
    assert token is not None
    caller = _verifier(workdir).verify(token.group(0))
    assert caller is not None and caller.role == "reviewer"


def test_keys_create_prints_a_working_key_once(ran: str, workdir: Path) -> None:
    result = runner.invoke(app, ["keys", "create", "--role", "researcher"])
    assert result.exit_code == 0, result.output
    token = TOKEN.search(result.output)
    assert token is not None
    caller = _verifier(workdir).verify(token.group(0))
    assert caller is not None and caller.role == "researcher"
    revoked = runner.invoke(app, ["keys", "revoke", caller.key_id])
    assert revoked.exit_code == 0
    assert _verifier(workdir).verify(token.group(0)) is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_with_two_workers_scores_and_keeps_sessions(ran: str, workdir: Path) -> None:
    """A two-process server starts, scores, records and serves the reviewer pages."""
    key_out = runner.invoke(app, ["keys", "create", "--role", "case_system"]).output
    token = TOKEN.search(key_out)
    reviewer = TOKEN.search(ran)
    assert token is not None and reviewer is not None
    port = _free_port()
    exe = Path(sys.executable).with_name("secondlook")
    cmd = [str(exe), "serve", "--port", str(port), "--workers", "2", "--model-ref", "1"]
    # httpx keeps Secure cookies off plain http (browsers allow them on loopback)
    env = {**os.environ, "SECONDLOOK_WEB_COOKIE_SECURE": "false"}
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        tables = read_cohort(workdir / "data")
        body = case_request(tables, str(tables["dash_assessments"]["assessment_id"].iloc[-1]))
        headers = {"Authorization": f"Bearer {token.group(0)}"}
        scored = [httpx.post(f"{base}/v1/score", json=body, headers=headers) for _ in range(6)]
        assert {r.status_code for r in scored} == {200}
        with httpx.Client(base_url=base) as browser:
            login = browser.get("/reviewer/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
            assert csrf is not None
            form = {"api_key": reviewer.group(0), "csrf_token": csrf.group(1), "next": ""}
            browser.post("/reviewer/login", data=form)
            cookies = dict(browser.cookies)
        pages = [httpx.get(f"{base}/reviewer/queue", cookies=cookies) for _ in range(4)]
        assert [p.status_code for p in pages] == [200] * 4
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_workers_share_one_session_secret_and_the_chosen_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Worker processes read the environment: the CLI exports its choices and one secret."""
    import uvicorn

    from secondlook_cli.serve_cmds import run_workers, serving_settings

    exported = ("SECONDLOOK_WEB_SESSION_SECRET", "SECONDLOOK_MODEL_REF", "SECONDLOOK_MODEL_NAME")
    for name in exported:  # setenv first, so the monkeypatch restores what run_workers sets
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)
    tracking = os.environ.get("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'm.db'}")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    seen: dict[str, object] = {}

    def fake_run(target: str, **kwargs: object) -> None:
        seen.update(kwargs, target=target, env=dict(os.environ))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    run_workers(serving_settings(model_ref="7"), "127.0.0.1", 8001, 3)
    env = seen["env"]
    assert isinstance(env, dict)
    assert seen["target"] == "serving.app:create_app" and seen["factory"] is True
    assert seen["workers"] == 3
    assert env["SECONDLOOK_MODEL_REF"] == "7"
    assert len(env["SECONDLOOK_WEB_SESSION_SECRET"]) >= 32
    assert env["DATABASE_URL"] == f"sqlite:///{tmp_path / 'a.db'}"


def test_keys_create_rejects_an_unknown_role(workdir: Path) -> None:
    result = runner.invoke(app, ["keys", "create", "--role", "superuser"])
    assert result.exit_code == 2
    assert "case_system" in result.output


def test_train_rejects_an_unknown_target(workdir: Path) -> None:
    result = runner.invoke(app, ["train", str(workdir), "--target", "murder"])
    assert result.exit_code == 2
    assert "serious_harm_365d" in result.output


def test_grade_and_features_refuse_a_cohort_that_fails_its_contracts(
    tmp_path: Path, minimal_tables: dict[str, pd.DataFrame]
) -> None:
    from features.io import write_cohort

    bad = minimal_tables["dash_assessments"].copy()
    bad.loc[1, "q5"] = "maybe"
    write_cohort({**minimal_tables, "dash_assessments": bad}, tmp_path)
    for args in (
        ["grade", str(tmp_path), "--out", str(tmp_path / "g.csv")],
        ["features", "build", str(tmp_path), "--out", str(tmp_path / "f.csv")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert "q5" in result.output
        assert not (tmp_path / "g.csv").exists() and not (tmp_path / "f.csv").exists()


def test_grade_and_features_write_one_row_per_assessment(
    tmp_path: Path, minimal_tables: dict[str, pd.DataFrame]
) -> None:
    from features.io import write_cohort

    write_cohort(minimal_tables, tmp_path / "c")
    n = len(minimal_tables["dash_assessments"])
    graded = runner.invoke(app, ["grade", str(tmp_path / "c"), "--out", str(tmp_path / "g.csv")])
    assert graded.exit_code == 0, graded.output
    assert len(pd.read_csv(tmp_path / "g.csv")) == n
    built = runner.invoke(
        app, ["features", "build", str(tmp_path / "c"), "--out", str(tmp_path / "f.parquet")]
    )
    assert built.exit_code == 0, built.output
    assert len(pd.read_parquet(tmp_path / "f.parquet")) == n


def test_a_missing_cohort_directory_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["grade", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "nowhere" in result.output
