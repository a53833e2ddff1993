"""Load-and-kill and log-line cost for ``bench_hardening``."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import time
from typing import Any

from hardening_server import Server
from sqlalchemy import func, select

from serving.db.models import ScoreAudit
from serving.db.session import make_engine
from serving.json_logging import JsonFormatter, RedactPersonData

CONNECTIONS = 32


def bodies(n: int = 50) -> list[bytes]:
    """Return ``n`` scoring request bodies of a small synthetic cohort."""
    import json

    from serving.cohort_requests import case_request
    from tests.serving.cohort import random_tables

    tables = random_tables(n_victims=300, seed=1)
    ids = tables["dash_assessments"]["assessment_id"].tolist()[:n]
    return [json.dumps(case_request(tables, a)).encode() for a in ids]


def _request(token: str, body: bytes) -> bytes:
    head = [
        "POST /v1/score HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Authorization: Bearer {token}",
        f"Content-Length: {len(body)}",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _answer(reader: asyncio.StreamReader) -> tuple[int, str]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
    request_id = re.search(rb"(?i)x-request-id:\s*([0-9a-f-]+)", head)
    await reader.readexactly(int(length.group(1)) if length else 0)
    return int(head[9:12]), request_id.group(1).decode() if request_id else ""


async def _open_loop(
    server: Server, token: str, rate: float, kill_after: float, sample: list[bytes]
) -> dict[str, Any]:
    """Send at ``rate`` on a fixed schedule over keep-alive connections; kill the server midway.

    A minimal asyncio HTTP/1.1 client (as ``bench_serving``): an HTTP library costs more CPU
    per request than the server on a 2-core machine and could not keep the rate.
    """
    payloads = [_request(token, b) for b in sample]
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        await pool.put(await asyncio.open_connection("127.0.0.1", server.port))
    answered: list[str] = []
    failed = 0

    async def one(i: int) -> None:
        nonlocal failed
        conn = await pool.get()
        try:
            if conn is None:
                conn = await asyncio.open_connection("127.0.0.1", server.port)
            conn[1].write(payloads[i % len(payloads)])
            status, request_id = await _answer(conn[0])
        except (OSError, asyncio.IncompleteReadError, ValueError):
            failed += 1
            await pool.put(None)  # reconnect next time (refused once the server is dead)
            return
        if status == 200:
            answered.append(request_id)
        else:
            failed += 1
        await pool.put(conn)

    start, pending, i = time.perf_counter(), set(), 0
    total = int(rate * (kill_after + 1.0))
    killed_at = int(rate * kill_after)
    for i in range(total):  # bounded: rate x (kill_after + 1 s) requests
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        if i == killed_at:
            server.kill()
        task = asyncio.create_task(one(i))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    elapsed = time.perf_counter() - start
    return {
        "sent": total,
        "achieved_rate": round(total / elapsed, 1),
        "answered_200": len(answered),
        "failed": failed,
        "ids": answered,
    }


def _count(database_url: str, answered: list[str]) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(ScoreAudit.request_id, func.count()).group_by(ScoreAudit.request_id)
            ).all()
    finally:
        engine.dispose()
    stored = {r: n for r, n in rows}
    return {
        "rows": sum(stored.values()),
        "lost": sum(1 for r in answered if r not in stored),
        "duplicated": sum(n - 1 for n in stored.values() if n > 1),
        "stored_not_answered": len(set(stored) - set(answered)),
    }


def kill_test(env: dict[str, str], database_url: str, rate: float, kill_after: float) -> Any:
    """Score at ``rate`` req/s, kill -9 the server, restart it, count the audit rows."""
    if database_url.startswith("postgresql"):
        from tests.serving.helpers import reset_postgres

        reset_postgres(database_url)
    sample = bodies()
    with Server.serve(env, database_url) as server:
        token = server.key("case_system")
        load = asyncio.run(_open_loop(server, token, rate, kill_after, sample))
    with Server.serve(env, database_url):  # restarted on the same database
        counted = _count(database_url, load.pop("ids"))
    return {"rate": rate, "kill_after_s": kill_after, **load, **counted}


def log_line_cost(n: int = 20000) -> dict[str, float]:
    """Microseconds per access-log line: our JSON formatter and filter vs stdlib's text format."""
    record = logging.LogRecord("secondlook.access", logging.INFO, "", 0, "%s %s %d", None, None)
    extra = {"route": "/v1/score", "status": 200, "ms": 1.2, "key_id": "k0123456789ab"}
    out = {}
    text = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    for name, fmt, filt in (
        ("json_with_filter", JsonFormatter(), RedactPersonData()),
        ("stdlib_text", text, None),
    ):
        stream = io.StringIO()
        t0 = time.perf_counter()
        for _ in range(n):
            args = ("POST", "/v1/score", 200)
            r = logging.makeLogRecord({**record.__dict__, **extra, "args": args})
            if filt is not None:
                filt.filter(r)
            stream.write(fmt.format(r) + "\n")
        out[f"{name}_us"] = round((time.perf_counter() - t0) / n * 1e6, 2)
    out["ratio_json_over_text"] = round(out["json_with_filter_us"] / out["stdlib_text_us"], 2)
    return out
