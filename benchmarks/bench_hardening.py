"""Hardening, measured on a real server: huge bodies refused at once, and no audit row lost.

Starts ``secondlook serve`` (uvicorn, JSON logging) on 127.0.0.1 with a tiny hand-registered
model, then:

1. **Huge bodies.** A 125 MB body to ``/v1/score/batch`` from a raw socket, streamed as fast
   as the server takes it: without a key (declared length and chunked), and with a key over
   the limit. Reported: time to the response's status line, the status, the bytes the server
   took before answering, and the server's RSS growth. Then three such bodies at once while
   ``/healthz`` is polled (its worst latency). **Peer in the same run:** a plain FastAPI app
   whose route takes the body as a parameter (how the batch route read it before: the whole
   body is read and parsed before the key is checked), served by the same uvicorn.
2. **Load and kill.** Open-loop ``/v1/score`` at ``--rate`` req/s; ``kill -9`` of the server
   after ``--kill-after`` s; restart; count audit rows of every request answered 200 (by the
   ``X-Request-ID`` each answer carries): lost = answered - found, duplicated = rows beyond
   one per answered request. On SQLite, and on PostgreSQL when ``--postgres-url`` is given.
3. **Log line cost.** The JSON formatter and person-data filter per log line, in process.
4. **The body guard's cost** per request with a valid key, in process (``hardening_overhead``).

Prints one JSON document. Only 127.0.0.1; every loop is bounded by a count or a duration.
Usage: ``python benchmarks/bench_hardening.py [--mb 125] [--rate 200] [--postgres-url URL]``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hardening_load import kill_test, log_line_cost  # noqa: E402
from hardening_overhead import guard_overhead  # noqa: E402
from hardening_server import Server, free_port, prepare  # noqa: E402

CHUNK = 1 << 20
REPEATS = 5  # each huge body is sent this many times (the machine is shared: report median, max)


def rss_mb(pid: int) -> float:
    """Return a process's resident set size in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def huge_body(port: int, mb: int, token: str | None, chunked: bool) -> dict[str, Any]:
    """Stream ``mb`` MB at the batch route; return the answer's status, time and bytes sent."""
    total = mb * CHUNK
    head = ["POST /v1/score/batch HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    if token:
        head.append(f"Authorization: Bearer {token}")
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setblocking(False)
    start, sent, answer = time.perf_counter(), 0, b""
    pending = ("\r\n".join(head) + "\r\n\r\n").encode()
    piece = (f"{CHUNK:x}\r\n".encode() + b"x" * CHUNK + b"\r\n") if chunked else b"x" * CHUNK
    while time.perf_counter() - start < 60 and b"\r\n" not in answer:
        try:
            answer += sock.recv(65536)
        except BlockingIOError:
            pass
        except OSError:
            break
        if not pending and sent < total:
            pending, sent = piece, sent + CHUNK
        if pending:
            try:
                pending = pending[sock.send(pending) :]
            except BlockingIOError:
                time.sleep(0.0005)
            except OSError:  # the server answered and closed: stop sending
                pending = b""
                sent = total
    elapsed = time.perf_counter() - start
    sock.close()
    status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "none"
    return {"status": status, "ms": round(elapsed * 1000, 1), "mb_sent_before_answer": sent / CHUNK}


def concurrent(port: int, mb: int, pid: int, token: str | None, chunked: bool) -> dict[str, Any]:
    """Three huge bodies at once while /healthz is polled; worst health latency and RSS growth."""
    import threading

    import httpx

    before, outs = rss_mb(pid), []
    threads = [
        threading.Thread(target=lambda: outs.append(huge_body(port, mb, token, chunked)))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    worst, polls = 0.0, 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        while polls == 0 or any(t.is_alive() for t in threads):
            t0 = time.perf_counter()
            client.get("/healthz")
            worst, polls = max(worst, time.perf_counter() - t0), polls + 1
            time.sleep(0.005)
    for t in threads:
        t.join()
    return {
        "statuses": sorted(o["status"] for o in outs),
        "slowest_ms": max(o["ms"] for o in outs),
        "healthz_worst_ms": round(worst * 1000, 1),
        "healthz_polls": polls,
        "rss_growth_mb": round(rss_mb(pid) - before, 1),
    }


def body_section(server: Server, mb: int, token: str) -> dict[str, Any]:
    """Run the huge-body cases against one server."""
    out: dict[str, Any] = {}
    cases = {
        "no_key_declared_length": (None, False),
        "no_key_chunked": (None, True),
        "with_key_chunked_over_limit": (token, True),
    }
    for name, (key, chunked) in cases.items():
        before = rss_mb(server.pid)
        runs = [huge_body(server.port, mb, key, chunked) for _ in range(REPEATS)]
        time.sleep(0.3)
        times = sorted(r["ms"] for r in runs)
        out[name] = {
            "statuses": sorted({r["status"] for r in runs}),
            "median_ms": times[len(times) // 2],
            "max_ms": times[-1],
            "mb_sent_before_answer_max": max(r["mb_sent_before_answer"] for r in runs),
            "rss_growth_mb": round(rss_mb(server.pid) - before, 1),
        }
    out["three_at_once_no_key"] = concurrent(server.port, mb, server.pid, None, False)
    return out


PEER_APP = textwrap.dedent(
    """
    from typing import Any
    from fastapi import FastAPI, Header, HTTPException
    app = FastAPI()
    @app.post("/v1/score/batch")
    async def batch(body: dict[str, Any], authorization: str | None = Header(None)) -> dict:
        if authorization != "Bearer good":
            raise HTTPException(401, "a valid API key is required")
        return {"n": len(body.get("cases", []))}
    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}
    """
)


def peer_section(workdir: Path, mb: int) -> dict[str, Any]:
    """The same huge bodies at a plain FastAPI body-parameter route (reads, then checks)."""
    (workdir / "peer_app.py").write_text(PEER_APP)
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "peer_app:app", "--port", str(port), "--no-access-log"]
    with Server.start(cmd, port, env={**os.environ, "PYTHONPATH": str(workdir)}) as peer:
        result = huge_body(port, mb, None, False)
        time.sleep(0.3)
        base = rss_mb(peer.pid)
        return {
            "no_key_declared_length": result,
            "rss_after_mb": round(base, 1),
            "three_at_once_no_key": concurrent(port, mb, peer.pid, None, False),
        }


def main() -> None:
    """Run every section and print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=125)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--kill-after", type=float, default=6.0)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    report: dict[str, Any] = {
        "benchmark": "hardening",
        "mb": args.mb,
        "load_average_at_start": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = prepare(work)
        sqlite_url = f"sqlite:///{work / 'serving.db'}"
        with Server.serve(env, sqlite_url) as ours:
            token = ours.key("case_system")
            base = rss_mb(ours.pid)
            report["ours"] = {"rss_start_mb": round(base, 1), **body_section(ours, args.mb, token)}
        report["peer_plain_fastapi"] = peer_section(work, args.mb)
        ours_ms = report["ours"]["no_key_declared_length"]["median_ms"]
        peer_ms = report["peer_plain_fastapi"]["no_key_declared_length"]["ms"]
        report["ratio_peer_over_ours_time_to_refuse"] = round(peer_ms / max(ours_ms, 0.1), 1)
        report["kill_test"] = {"sqlite": kill_test(env, sqlite_url, args.rate, args.kill_after)}
        if args.postgres_url:
            report["kill_test"]["postgres"] = kill_test(
                env, args.postgres_url, args.rate, args.kill_after
            )
    report["log_line"] = log_line_cost()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update({k: v for k, v in prepare(Path(tmp)).items() if k != "PYTHONPATH"})
        report["body_guard"] = guard_overhead(f"sqlite:///{Path(tmp) / 'overhead.db'}")
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
