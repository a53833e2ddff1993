"""Benchmark the scoring service against ``mlflow models serve`` of the same model; prints JSON.

1. In process, one case end to end (request validation, time-order checks, features, model,
   SHAP, statutory rules, response JSON, committed audit insert): p50 / p99 over N calls.
2. Over HTTP on loopback (uvicorn, for each ``--workers`` count):
   - open loop at a fixed rate (default 200 req/s for 60 s) from a minimal asyncio client:
     latency percentiles, p99 per 5 s window and errors;
   - saturation with ``wrk`` (closed loop, C connections, D seconds): req/s, failed requests
     and the server's CPU time per answered request (its process and all its children).
3. Peer in the same run: ``mlflow models serve -m models:/NAME@champion --env-manager local``
   (same workers), one case per request (its precomputed feature row, ``dataframe_split``),
   saturated with the same ``wrk`` settings; the peer does no validation, features, rules, SHAP
   or audit. All servers stay up and are saturated in alternating rounds (ours, peer, ours,
   ...), because a single 20 s run of either varies by a third on this machine; the medians,
   the per-round ratios and the CPU time per request of each are reported. For context, the
   same booster logged with MLflow's own LightGBM flavour is served and measured the same way
   (``lightgbm_flavour``), and a short sweep over connection counts shows how the ratio
   depends on the load (the peer is fastest with one connection, ours slowest).

The model is the one ``make run`` serves: a synthetic cohort (``--victims``, 20,000 by default)
trained and registered by ``training.pipeline.train`` with its default settings, so it carries
the signature MLflow enforces on every peer request. ``--tracking-uri`` serves an existing
registry's champion instead. Request bodies are randomly chosen assessments of the cohort.

Only 127.0.0.1; every loop is bounded by a count or a duration.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from mlflow.tracking import MlflowClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from features.engine import build_features  # noqa: E402
from features.labels import PRIMARY_LABEL  # noqa: E402
from features.synthetic import generate_cohort  # noqa: E402
from serving.app import build_services  # noqa: E402
from serving.cohort_requests import case_request  # noqa: E402
from serving.db.session import init_db, make_engine  # noqa: E402
from serving.db.store import Store  # noqa: E402
from serving.metrics import ServiceMetrics  # noqa: E402
from serving.schemas import ScoreRequest  # noqa: E402
from serving.scoring_service import ScoringContext, new_request_id, score_one  # noqa: E402
from serving.security import Caller, create_key  # noqa: E402
from serving.settings import ServingSettings  # noqa: E402
from training.pipeline import train  # noqa: E402
from training.settings import TrainingSettings  # noqa: E402

MODEL_NAME = f"secondlook-{PRIMARY_LABEL}"
FLAVOUR_PEER = "bench-lightgbm-flavour"

VENV_BIN = Path(sys.executable).parent


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} not ready after {seconds}s")


@contextmanager
def server(
    cmd: list[str], env: dict[str, str], ready_url: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_ready(ready_url, 120.0)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def in_process(services: Any, bodies: list[dict[str, Any]], n: int) -> dict[str, float]:
    model = services.holder.model
    caller = Caller("kbench", "case_system")
    times = []
    for i in range(n + 50):
        body = bodies[i % len(bodies)]
        start = time.perf_counter()
        req = ScoreRequest.model_validate(body)
        ctx = ScoringContext(model, None, 5, caller, new_request_id())
        score_one(req, ctx, services.store)
        if i >= 50:  # warm-up excluded
            times.append(time.perf_counter() - start)
    return {"n": n, "p50_ms": pct(times, 50), "p90_ms": pct(times, 90), "p99_ms": pct(times, 99)}


def http_request(path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    match = re.search(rb"(?i)content-length:\s*(\d+)", head)
    await reader.readexactly(int(match.group(1)) if match else 0)
    return status


def windowed_p99(
    sent_at: list[float], latencies: list[float], t0: float, width: float
) -> list[float]:
    """Return the p99 latency (ms) of each ``width``-second window of send times."""
    windows: dict[int, list[float]] = {}
    for sent, latency in zip(sent_at, latencies, strict=True):
        windows.setdefault(int((sent - t0) // width), []).append(latency)
    return [round(pct(windows[k], 99), 1) for k in sorted(windows)]


async def open_loop(
    port: int,
    path: str,
    headers: dict[str, str],
    bodies: list[bytes],
    rate: float,
    seconds: float,
    connections: int = 16,
) -> dict[str, Any]:
    """Send ``rate`` x ``seconds`` requests on a fixed schedule over keep-alive connections.

    A minimal asyncio HTTP/1.1 client (a Python HTTP library costs more CPU per request than
    the server on a 2-core machine). Latency counts from each request's scheduled send time, so
    waiting for a free connection is included (no coordinated omission).
    """
    total = int(rate * seconds)
    payloads = [http_request(path, headers, b) for b in bodies]
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        await pool.put(await asyncio.open_connection("127.0.0.1", port))
    latencies: list[float] = []
    sent_at: list[float] = []
    statuses: dict[str, int] = {}

    async def one(i: int, scheduled: float) -> None:
        reader, writer = await pool.get()
        try:
            writer.write(payloads[i % len(payloads)])
            key = str(await read_response(reader))
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            key = type(exc).__name__
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        latencies.append(time.perf_counter() - scheduled)
        sent_at.append(scheduled)
        statuses[key] = statuses.get(key, 0) + 1
        await pool.put((reader, writer))

    # The client must not pause itself: finished tasks are dropped (not kept for a final
    # gather) and the collector is off during the loop, otherwise a full collection over
    # thousands of finished tasks stalls sending and reading for ~150 ms mid-run.
    gc.collect()
    gc.disable()
    t0 = time.perf_counter()
    pending: set[asyncio.Task[None]] = set()
    try:
        for i in range(total):  # bounded: rate x seconds requests
            scheduled = t0 + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(i, scheduled))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
    finally:
        gc.enable()
    elapsed = time.perf_counter() - t0
    while not pool.empty():
        pool.get_nowait()[1].close()
    errors = sum(v for k, v in statuses.items() if k != "200")
    return {
        "target_rate": rate,
        "seconds": seconds,
        "requests": total,
        "achieved_rate": total / elapsed,
        "p50_ms": pct(latencies, 50),
        "p90_ms": pct(latencies, 90),
        "p99_ms": pct(latencies, 99),
        "max_ms": pct(latencies, 100),
        "errors": errors,
        "statuses": statuses,
        "p99_ms_per_5s": windowed_p99(sent_at, latencies, t0, 5.0),
        "client": f"asyncio HTTP/1.1, {connections} keep-alive connections, open loop",
    }


WRK_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{auth}
local bodies = {{}}
for line in io.lines("{bodies}") do bodies[#bodies + 1] = line end
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("JSONSTATS %d %d %d %d %d %d %.3f %.3f\\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000))
end
"""


def wrk(
    url: str,
    bodies: list[bytes],
    token: str | None,
    seconds: int,
    connections: int,
    threads: int,
    work: Path,
) -> dict[str, Any]:
    body_file = work / f"bodies-{uuid.uuid4().hex}.txt"
    body_file.write_bytes(b"\n".join(bodies) + b"\n")
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    script = work / f"post-{uuid.uuid4().hex}.lua"
    script.write_text(WRK_LUA.format(auth=auth, bodies=body_file))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    stats = re.search(r"JSONSTATS (.*)", out).group(1).split()  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_s": rps,
        "requests": int(stats[0]),
        "socket_errors": sum(int(x) for x in stats[1:4]) + int(stats[5]),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "p50_ms": float(stats[6]),
        "p99_ms": float(stats[7]),
        "connections": connections,
        "threads": threads,
        "seconds": seconds,
    }


def setup(work: Path, args: argparse.Namespace) -> tuple[str, str, list[dict[str, Any]], Any]:
    cohort = generate_cohort(n_victims=args.victims, seed=args.seed)
    tables = dict(cohort.tables)
    uri = args.tracking_uri or f"sqlite:///{work / 'mlflow.db'}"
    if not args.tracking_uri:
        settings = TrainingSettings(mlruns_dir=work, tracking_uri=uri, seed=args.seed)
        result = train(tables, dict(cohort.metadata), settings=settings)
        # Speed, not the champion gate, is measured here: serve what was trained either way.
        MlflowClient(uri, uri).set_registered_model_alias(
            result.model_name, "champion", result.model_version
        )
    ids = tables["dash_assessments"]["assessment_id"].tolist()
    rng = random.Random(args.seed)
    chosen = rng.sample(ids, min(args.pool, len(ids)))
    bodies = [case_request(tables, a) for a in chosen]
    features = build_features(tables).loc[chosen]
    return uri, args.model_name, bodies, features


def serving_env(uri: str, name: str, db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "MLFLOW_TRACKING_URI": uri,
            "SECONDLOOK_MODEL_NAME": name,
            "DATABASE_URL": db,
            "PATH": f"{VENV_BIN}:{env.get('PATH', '')}",
            "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def tree_cpu_seconds(pid: int) -> float:
    """Return the CPU seconds (user + system) of a process and all its descendants."""
    tick, parent, cpu = os.sysconf("SC_CLK_TCK"), {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        child = int(stat.parent.name)
        parent[child], cpu[child] = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick

    def descends(p: int) -> bool:
        while p > 1:
            if p == pid:
                return True
            p = parent.get(p, 0)
        return False

    return sum(seconds for p, seconds in cpu.items() if descends(p))


def saturate(target: dict[str, Any], args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Run ``wrk`` against one server; add the server's CPU time per answered request."""
    before = tree_cpu_seconds(target["pid"])
    out = wrk(
        target["url"],
        target["bodies"],
        target["token"],
        args.wrk_seconds,
        args.connections,
        args.threads,
        work,
    )
    cpu = tree_cpu_seconds(target["pid"]) - before
    out["server_cpu_ms_per_request"] = 1000.0 * cpu / max(out["requests"], 1)
    return out


def our_command(port: int, workers: int) -> list[str]:
    return [
        str(VENV_BIN / "uvicorn"),
        "serving.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def peer_command(name: str, port: int, workers: int) -> list[str]:
    return [
        str(VENV_BIN / "mlflow"),
        "models",
        "serve",
        "-m",
        f"models:/{name}@champion",
        "--env-manager",
        "local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def peer_bodies(features: Any) -> list[bytes]:
    """One ``dataframe_split`` body per case: its precomputed feature row (NaN as null)."""
    columns, raw = list(features.columns), []
    for row in features.to_numpy(dtype=np.float64):
        data = [None if np.isnan(v) else float(v) for v in row]
        body = {"dataframe_split": {"columns": columns, "data": [data]}}
        raw.append(json.dumps(body, separators=(",", ":")).encode())
    return raw


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the alternating rounds; per peer, its req/s, the ratios and CPU per request."""
    ours = [r["ours"]["requests_per_s"] for r in rounds]
    our_cpu = median([r["ours"]["server_cpu_ms_per_request"] for r in rounds])
    out: dict[str, Any] = {
        "ours_requests_per_s": median(ours),
        "ours_server_cpu_ms_per_request": our_cpu,
        "ours_failed_requests": sum(_failed(r["ours"]) for r in rounds),
    }
    for label in [k for k in rounds[0] if k != "ours"] if rounds else []:
        theirs = [r[label]["requests_per_s"] for r in rounds]
        cpu = median([r[label]["server_cpu_ms_per_request"] for r in rounds])
        out[label] = {
            "requests_per_s": median(theirs),
            "ratio_per_round": [round(a / b, 2) for a, b in zip(ours, theirs, strict=True)],
            "ratio_median": median([a / b for a, b in zip(ours, theirs, strict=True)]),
            "server_cpu_ms_per_request": cpu,
            "cpu_per_request_ratio": cpu / our_cpu,
            "failed_requests": sum(_failed(r[label]) for r in rounds),
        }
    return out


def _failed(run: dict[str, Any]) -> int:
    return int(run["non_2xx"]) + int(run["socket_errors"])


@contextmanager
def peer_server(
    work: Path, uri: str, name: str, workers: int, features: Any
) -> Iterator[dict[str, Any]]:
    """Serve the registered model ``name@champion`` with ``mlflow models serve``."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bodies = peer_bodies(features)
    cmd = peer_command(name, port, workers)
    with server(cmd, serving_env(uri, name, ""), f"{base}/ping", work / f"{name}.log") as proc:
        probe = httpx.post(
            f"{base}/invocations",
            content=bodies[0],
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        probe.raise_for_status()
        yield {
            "url": f"{base}/invocations",
            "bodies": bodies,
            "token": None,
            "pid": proc.pid,
            "command": " ".join(cmd[1:]),
        }


def register_flavour_peer(uri: str, booster: Any, example: Any) -> str:
    """Register the champion's booster with MLflow's own LightGBM flavour (context, not the peer).

    This is what a plain MLflow deployment of the same trees serves: ``Booster.predict`` on a
    one-row DataFrame with LightGBM's default threads and no calibration.
    """
    import mlflow
    import mlflow.lightgbm

    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    with mlflow.start_run(run_name="bench-lightgbm-flavour"):
        info = mlflow.lightgbm.log_model(
            booster, name="model", registered_model_name=FLAVOUR_PEER, input_example=example
        )
    version = str(info.registered_model_version)
    MlflowClient(uri, uri).set_registered_model_alias(FLAVOUR_PEER, "champion", version)
    return FLAVOUR_PEER


def bench_http(
    work: Path,
    args: argparse.Namespace,
    uri: str,
    name: str,
    bodies: list[dict[str, Any]],
    features: Any,
    workers: int,
) -> dict[str, Any]:
    """Fixed-rate latency of ours, then alternating saturation rounds of ours and each peer."""
    db = f"sqlite:///{work / f'http-{workers}.db'}"
    engine = make_engine(db)
    init_db(engine)
    token = create_key(Store(engine), "case_system")[1]
    engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    raw = [json.dumps(b, separators=(",", ":")).encode() for b in bodies]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    cmd = our_command(port, workers)
    log = work / f"uvicorn-{workers}.log"
    with ExitStack() as stack:
        proc = stack.enter_context(server(cmd, serving_env(uri, name, db), f"{base}/readyz", log))
        peers = {
            label: stack.enter_context(peer_server(work, uri, model, workers, features))
            for label, model in args.peers.items()
        }
        ours = {"url": f"{base}/v1/score", "bodies": raw, "token": token, "pid": proc.pid}
        asyncio.run(open_loop(port, "/v1/score", headers, raw, args.rate, 3))  # warm-up
        fixed = asyncio.run(open_loop(port, "/v1/score", headers, raw, args.rate, args.seconds))
        rounds = []
        for _ in range(args.rounds):
            one = {"ours": saturate(ours, args, work)}
            one |= {label: saturate(peer, args, work) for label, peer in peers.items()}
            rounds.append(one)
        sweep = concurrency_sweep(ours, peers.get("peer"), args, work)
    return {
        "workers": workers,
        "fixed_rate": fixed,
        "rounds": rounds,
        "saturation": summarise(rounds),
        "concurrency_sweep": sweep,
        "peer_commands": {label: peer["command"] for label, peer in peers.items()},
    }


def concurrency_sweep(
    ours: dict[str, Any], peer: dict[str, Any] | None, args: argparse.Namespace, work: Path
) -> list[dict[str, Any]]:
    """Req/s of ours and the peer at each connection count: the ratio depends on it.

    MLflow's scoring server runs each request on a worker thread, and those threads contend
    for the GIL, so it is fastest with one connection; ours shares audit commits between
    concurrent requests, so it is slowest with one.
    """
    out = []
    for connections in args.sweep:
        short = argparse.Namespace(**{**vars(args), "connections": connections})
        short.wrk_seconds = args.sweep_seconds
        row: dict[str, Any] = {"connections": connections}
        row["ours"] = saturate(ours, short, work)["requests_per_s"]
        if peer is not None:
            row["peer"] = saturate(peer, short, work)["requests_per_s"]
            row["ratio"] = round(row["ours"] / row["peer"], 2)
        out.append(row)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--victims", type=int, default=20_000, help="synthetic cohort, as make run")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pool", type=int, default=200, help="distinct cases cycled through")
    p.add_argument("--tracking-uri", default=None, help="use an existing registry instead")
    p.add_argument("--model-name", default=MODEL_NAME)
    p.add_argument("--n", type=int, default=3000, help="in-process calls")
    p.add_argument("--rate", type=float, default=200.0)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--wrk-seconds", type=int, default=20)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--workers",
        type=lambda text: [int(w) for w in text.split(",")],
        default=[1, 2],
        help="comma-separated worker counts, each run for ours and the peer alike "
        "(`secondlook serve` and `mlflow models serve` both default to 1)",
    )
    p.add_argument("--rounds", type=int, default=3, help="alternating saturation rounds")
    p.add_argument(
        "--sweep",
        type=lambda text: [int(c) for c in text.split(",")] if text else [],
        default=[1, 8, 32],
        help="connection counts of the concurrency sweep ('' to skip)",
    )
    p.add_argument("--sweep-seconds", type=int, default=10)
    p.add_argument("--skip-peer", action="store_true", help="no peers at all")
    p.add_argument(
        "--no-flavour-peer",
        action="store_true",
        help="skip the context peer (MLflow's LightGBM flavour of the same booster)",
    )
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get update && apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    uri, name, bodies, features = setup(work, args)
    settings = ServingSettings(
        database_url=f"sqlite:///{work / 'inproc.db'}", tracking_uri=uri, model_name=name
    )
    services = build_services(settings, ServiceMetrics())
    spec = services.holder.model.scorer.spec
    booster = services.holder.model.scorer.booster
    result: dict[str, Any] = {
        "benchmark": "serving",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "model": {
            "name": name,
            "version": services.holder.model.version,
            "trees": booster.num_trees(),
            "features": len(spec.feature_names),
            "leaves": booster.dump_model()["tree_info"][0]["num_leaves"],
            "registry": "existing" if args.tracking_uri else f"trained on {args.victims} victims",
        },
        "cases": {
            "pool": len(bodies),
            "mean_history_rows": statistics.mean(
                len(b["prior_incidents"]) + len(b["history_events"]) + len(b["prior_assessments"])
                for b in bodies
            ),
        },
        "in_process": in_process(services, bodies, args.n),
    }
    services.close()
    args.peers = {} if args.skip_peer else {"peer": name}
    if not (args.skip_peer or args.no_flavour_peer):
        args.peers["lightgbm_flavour"] = register_flavour_peer(
            uri, booster, features.iloc[:5].astype("float64")
        )
    result["peers"] = {
        "peer": "the registered model itself (the issue's peer): its pyfunc, a booster plus "
        "calibration map on one thread, behind MLflow's scoring server with signature checks",
        "lightgbm_flavour": "context only: the same booster logged with mlflow.lightgbm "
        "(default threads, no calibration), what a plain MLflow deployment would serve",
    }
    result["http"] = [bench_http(work, args, uri, name, bodies, features, w) for w in args.workers]
    result["headline"] = {
        f"workers_{h['workers']}": {
            "fixed_rate_p99_ms": round(h["fixed_rate"]["p99_ms"], 2),
            "fixed_rate_errors": h["fixed_rate"]["errors"],
            **h["saturation"],
            "concurrency_sweep": h["concurrency_sweep"],
        }
        for h in result["http"]
    }
    text = json.dumps(result, indent=2, sort_keys=True)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
