"""Bring up the production topology on one machine as real processes, check it, tear it down.

PostgreSQL (the Debian package's running cluster) holds the audit log and MLflow's backend
store; ``mlflow server`` serves artifacts; a Dask scheduler with 2 workers does the cohort-wide
work; two ``secondlook serve`` instances on two ports share PostgreSQL and the MLflow server.

    python deploy/topology.py check [--workdir DIR]   # up, the scenario below, down

The scenario: generate a partitioned cohort and train on the Dask cluster through the MLflow
server; start both API instances; score a case through each (same model version); review it
through one instance's reviewer pages and see the review through the other's; train again,
promote the new version to champion, reload both instances and see both serve it.
Every process is started here and stopped here by its own pid.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from features.labels import PRIMARY_LABEL

HOST = "127.0.0.1"
PG = "postgresql+psycopg://secondlook:secondlook@127.0.0.1:5432"
PORTS = {"mlflow": 5055, "scheduler": 8796, "api_a": 8101, "api_b": 8102}
DATABASES = ("secondlook_topology_audit", "secondlook_topology_mlflow")
TOKEN = re.compile(r"sl_k[0-9a-f]+\.[A-Za-z0-9_\-]+")
MODEL = f"secondlook-{PRIMARY_LABEL}"  # what `secondlook train` registers by default


def environment() -> dict[str, str]:
    """Return the settings every process of the topology shares."""
    return os.environ | {
        "MLFLOW_TRACKING_URI": f"http://{HOST}:{PORTS['mlflow']}",
        "DATABASE_URL": f"{PG}/{DATABASES[0]}",
        "SECONDLOOK_WEB_SESSION_SECRET": "topology-check-secret",  # one for both instances
        "SECONDLOOK_WEB_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    }


def postgres(sql_db: str, action: str) -> None:
    """Create or drop one database on the local PostgreSQL cluster (owner secondlook)."""
    command = (
        f"createdb -O secondlook {sql_db}" if action == "create" else f"dropdb --if-exists {sql_db}"
    )
    subprocess.run(["su", "postgres", "-c", command], check=True)


def wait_http(url: str, seconds: float = 90.0) -> None:
    """Wait until ``url`` answers (any status below 500)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


@contextmanager
def process(
    name: str, args: list[str], logs: Path, env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """Run one process of the topology for the block; stop it (by its pid) afterwards."""
    log = (logs / f"{name}.log").open("w")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def cli(*args: str, env: dict[str, str]) -> str:
    """Run ``secondlook`` with the topology's settings; return its output (raise on failure)."""
    done = subprocess.run(
        [sys.executable, "-m", "secondlook_cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"secondlook {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def backends(stack: ExitStack, work: Path, env: dict[str, str]) -> str:
    """Start the MLflow server and the Dask scheduler with 2 workers; return its address."""
    bin_dir = Path(sys.executable).parent
    mlflow = [str(bin_dir / "mlflow"), "server", "--host", HOST, "--port", str(PORTS["mlflow"])]
    mlflow += ["--backend-store-uri", f"{PG}/{DATABASES[1]}"]
    mlflow += ["--artifacts-destination", (work / "artifacts").as_uri(), "--workers", "1"]
    stack.enter_context(process("mlflow", mlflow, work, env))
    address = f"tcp://{HOST}:{PORTS['scheduler']}"
    scheduler = [str(bin_dir / "dask"), "scheduler", "--host", HOST]
    scheduler += ["--port", str(PORTS["scheduler"]), "--dashboard-address", ":0"]
    stack.enter_context(process("dask-scheduler", scheduler, work, env))
    for i in (1, 2):
        worker = [str(bin_dir / "dask"), "worker", address, "--nthreads", "1", "--nworkers", "1"]
        stack.enter_context(process(f"dask-worker-{i}", worker, work, env))
    wait_http(f"http://{HOST}:{PORTS['mlflow']}/health")
    return address


def apis(stack: ExitStack, work: Path, env: dict[str, str]) -> list[str]:
    """Start the two API instances on their ports; return their base URLs."""
    urls = []
    for name in ("api_a", "api_b"):
        port = str(PORTS[name])
        args = [
            sys.executable,
            "-m",
            "secondlook_cli.main",
            "serve",
            "--host",
            HOST,
            "--port",
            port,
        ]
        stack.enter_context(process(name, args, work, env))
        urls.append(f"http://{HOST}:{port}")
    for url in urls:
        wait_http(f"{url}/healthz")
    return urls


def served_version(url: str, key: str) -> str:
    """Return the model version an instance serves."""
    answer = httpx.get(f"{url}/v1/model", headers={"X-API-Key": key}, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["version"])


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if found is None:
        raise RuntimeError(f"no CSRF token on {page.url} (status {page.status_code})")
    return found.group(1)


def reviewer(url: str, key: str) -> httpx.Client:
    """Return a client signed in to an instance's reviewer pages."""
    web = httpx.Client(base_url=url, timeout=30)
    form = {"api_key": key, "csrf_token": _csrf(web.get("/reviewer/login")), "next": ""}
    if web.post("/reviewer/login", data=form).status_code != 303:
        raise RuntimeError(f"reviewer sign-in refused by {url}")
    return web


def review_across(urls: list[str], key: str, env: dict[str, str]) -> bool:
    """Review the latest scored case through one instance; return whether the other shows it."""
    from sqlalchemy import create_engine, func, select

    from serving.db.models import ScoreAudit

    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as db:
        audit_id = db.execute(select(func.max(ScoreAudit.id))).scalar_one()
    engine.dispose()
    reason = f"topology check {time.time_ns()}"
    first, second = reviewer(urls[0], key), reviewer(urls[1], key)
    try:
        page = first.get(f"/reviewer/cases/{audit_id}")
        form = {"csrf_token": _csrf(page), "decision": "agree", "raised_to": "", "reason": reason}
        if first.post(f"/reviewer/cases/{audit_id}/reviews", data=form).status_code != 303:
            raise RuntimeError("the review was not recorded")
        return reason in second.get(f"/reviewer/cases/{audit_id}").text
    finally:
        first.close()
        second.close()


def promote_newest(env: dict[str, str]) -> str:
    """Point the champion alias at the newest registered version (a promotion); return it."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(env["MLFLOW_TRACKING_URI"], env["MLFLOW_TRACKING_URI"])
    newest = str(max(int(v.version) for v in client.search_model_versions(f"name='{MODEL}'")))
    client.set_registered_model_alias(MODEL, "champion", newest)
    return newest


def score_through(urls: list[str], cohort: Path, key: str) -> list[str]:
    """Score the cohort's last assessment through every instance; return the model versions."""
    from features.io import read_cohort
    from serving.cohort_requests import case_request

    tables = read_cohort(cohort)
    body = case_request(tables, str(tables["dash_assessments"]["assessment_id"].iloc[-1]))
    versions = []
    for url in urls:
        answer = httpx.post(f"{url}/v1/score", json=body, headers={"X-API-Key": key}, timeout=30)
        answer.raise_for_status()
        versions.append(str(answer.json()["model_version"]))
    return versions


def scenario(work: Path) -> dict[str, object]:
    """Run the check on a running topology; return what was seen."""
    env = environment()
    seen: dict[str, object] = {}
    with ExitStack() as stack:
        address = backends(stack, work, env)
        cohort = work / "cohort"
        cli("generate", "--victims", "3000", "--out", str(cohort), "--dask", address,
            "--part-victims", "1000", env=env)  # fmt: skip
        cli("train", str(cohort), "--dask", address, env=env)
        promote_newest(env)  # champion even if a small cohort's ECE made it a challenger
        keys = {r: TOKEN.findall(cli("keys", "create", "--role", r, env=env))[0]
                for r in ("admin", "case_system", "reviewer")}  # fmt: skip
        urls = apis(stack, work, env)
        seen["scored_by_both"] = versions = score_through(urls, cohort, keys["case_system"])
        assert versions[0] == versions[1], versions
        seen["review_seen_through_other_instance"] = review_across(urls, keys["reviewer"], env)
        assert seen["review_seen_through_other_instance"]
        cli("train", str(cohort), "--dask", address, "--seed", "1", env=env)
        newest = promote_newest(env)
        for url in urls:
            reload = httpx.post(f"{url}/v1/admin/reload", headers={"X-API-Key": keys["admin"]},
                                timeout=60)  # fmt: skip
            reload.raise_for_status()
        seen["after_promotion"] = after = [served_version(url, keys["admin"]) for url in urls]
        assert after == [newest] * 2, (after, newest)
    return seen


def main() -> None:
    """Run the check: fresh databases, the topology, the scenario, then everything torn down."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=("check",))
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="secondlook-topology-"))
    work.mkdir(parents=True, exist_ok=True)
    for database in DATABASES:
        postgres(database, "drop")
        postgres(database, "create")
    try:
        print(json.dumps({"topology": "ok", **scenario(work), "logs": str(work)}, indent=2))
    finally:
        for database in DATABASES:
            postgres(database, "drop")


if __name__ == "__main__":
    main()
