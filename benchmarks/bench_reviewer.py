"""Reviewer queue on a 100k-score SQLite audit log: keyset pages on the 0002 indexes vs peers.

Fills a temporary SQLite audit log (migrated to head, WAL) with N scored cases (realistic grade
and band mix, ~2 KB response and ~2 KB case input per row) and a few reviews, then times:

- the store's page queries (queue newest first, filters, deep keyset pages, the disagreement
  view by probability, review-state filters, counts);
- whole pages over HTTP in process (``GET /reviewer/queue`` / ``/reviewer/disagreements``);
- peers in the same run: the same SQL with the 0002 indexes dropped, OFFSET pagination for deep
  pages, and "load every row and filter in Python".

Prints one JSON document: p50/p95 in ms per query and variant, and naive/indexed ratios.
Usage: ``python benchmarks/bench_reviewer.py [--rows 100000] [--repeats 40] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, insert, select, text

from serving.api.deps import Services
from serving.app import create_app
from serving.db.models import Review, ScoreAudit
from serving.db.reviewer_store import Cursor, QueueFilter, ReviewerStore, queue_statement
from serving.db.session import init_db, make_engine
from serving.db.store import AuditRow, Store
from serving.metrics import ServiceMetrics
from serving.model_loader import ModelHolder
from serving.security import KeyVerifier, create_key
from serving.settings import ServingSettings

GRADES = ("standard", "medium", "high")
INDEXES = (
    "ix_score_audit_grade_id",
    "ix_score_audit_grade_band_id",
    "ix_score_audit_band_id",
    "ix_score_audit_review_probability",
)
PAGE = 50


def _rows(n: int, seed: int, blob: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    grade = rng.choice(3, n, p=[0.72, 0.18, 0.10])
    prob = np.clip(rng.beta(1.2, 9.0, n) + 0.08 * grade, 0, 1).round(6)
    band = np.where(prob >= 0.6, 2, np.where(prob >= 0.3, 1, 0))
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    response, case = "r" * blob, "c" * blob
    return [
        _row_dict(i, t0, int(grade[i]), int(band[i]), float(prob[i]), response, case)
        for i in range(n)
    ]


def _row_dict(
    i: int, t0: datetime, g: int, b: int, p: float, response: str, case: str
) -> dict[str, Any]:
    row = AuditRow(
        request_id=f"{i:08x}-0000-4000-8000-000000000000",
        item_index=0,
        caller_key_id="kbench",
        created_at=t0 + timedelta(seconds=30 * i),
        model_name="secondlook-serious_harm_365d",
        model_version="1",
        rules_version="v1",
        assessment_id=f"A{i}",
        input_sha256="0" * 64,
        statutory_grade=GRADES[g],
        model_band=GRADES[b],
        model_probability=float(p),
        review_suggested=bool(b > g),
        response_json=response,
        case_input_json=case,
    )
    return {f: getattr(row, f) for f in row.__slots__}


def fill(engine: Engine, n: int, blob: int, seed: int = 0) -> dict[str, Any]:
    """Insert ``n`` audit rows and reviews of about 2% of them; return fill facts."""
    start = time.perf_counter()
    rows = _rows(n, seed, blob)
    table: Any = ScoreAudit.__table__
    with engine.begin() as conn:
        for i in range(0, n, 5000):
            conn.execute(insert(table), rows[i : i + 5000])
    rng = np.random.default_rng(seed + 1)
    reviewed = rng.choice(np.arange(1, n + 1), max(n // 50, 1), replace=False)
    reviews: list[dict[str, Any]] = [
        {
            "audit_id": int(a),
            "decision": "raise" if k % 4 == 0 else "agree",
            "raised_to": "high" if k % 4 == 0 else None,
            "reason": "benchmark",
            "reviewer_key_id": "kbench",
            "created_at": datetime.now(UTC),
        }
        for k, a in enumerate(sorted(reviewed.tolist()))
    ]
    # raising needs a grade below high: keep raises only where the case is not already high
    grades: dict[int, str] = dict(
        zip(range(1, n + 1), (r["statutory_grade"] for r in rows), strict=True)
    )
    for r in reviews:
        if r["decision"] == "raise" and grades[r["audit_id"]] == "high":
            r["decision"], r["raised_to"] = "agree", None
    with engine.begin() as conn:
        conn.execute(insert(Review.__table__), reviews)  # type: ignore[arg-type]
        conn.exec_driver_sql("ANALYZE")
    suggested = sum(1 for r in rows if r["review_suggested"])
    return {
        "rows": n,
        "reviews": len(reviews),
        "review_suggested": suggested,
        "fill_s": round(time.perf_counter() - start, 2),
    }


def timed(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    """Return p50/p95 (ms) of ``repeats`` calls after one warm-up."""
    fn()
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 3),
    }


def _mid_cursor(engine: Engine, f: QueueFilter) -> Cursor:
    """A cursor halfway down the view (a deep page)."""
    with engine.connect() as conn:
        rows = conn.execute(queue_statement(f, None, 10**9)).all()
    mid = rows[len(rows) // 2]
    return Cursor(int(mid.id), float(mid.model_probability) if f.disagreements else None)


def cases(engine: Engine) -> dict[str, tuple[QueueFilter, Cursor | None]]:
    """The page queries to time, by name."""
    queue, disagree = QueueFilter(), QueueFilter(disagreements=True)
    return {
        "queue_first_page": (queue, None),
        "queue_deep_page": (queue, _mid_cursor(engine, queue)),
        "queue_grade_high": (QueueFilter(grade="high"), None),
        "queue_grade_standard_band_medium": (QueueFilter(grade="standard", band="medium"), None),
        "queue_band_high_deep": (
            QueueFilter(band="high"),
            _mid_cursor(engine, QueueFilter(band="high")),
        ),
        "queue_unreviewed": (QueueFilter(state="unreviewed"), None),
        "queue_reviewed": (QueueFilter(state="reviewed"), None),
        "disagreements_first_page": (disagree, None),
        "disagreements_deep_page": (disagree, _mid_cursor(engine, disagree)),
        "disagreements_grade_medium": (QueueFilter(disagreements=True, grade="medium"), None),
    }


def _python_peer(engine: Engine, f: QueueFilter, after: Cursor | None) -> list[Any]:
    """Naive peer: load every row's queue columns and filter, sort and slice in Python."""
    cols = select(
        ScoreAudit.id,
        ScoreAudit.statutory_grade,
        ScoreAudit.model_band,
        ScoreAudit.model_probability,
        ScoreAudit.review_suggested,
    )
    with engine.connect() as conn:
        rows = conn.execute(cols).all()
        reviewed = set(conn.execute(select(Review.audit_id)).scalars())
    keep = [
        r
        for r in rows
        if (not f.grade or r.statutory_grade == f.grade)
        and (not f.band or r.model_band == f.band)
        and (not f.disagreements or r.review_suggested)
        and (f.state != "reviewed" or r.id in reviewed)
        and (f.state != "unreviewed" or r.id not in reviewed)
    ]
    if f.disagreements:
        keep.sort(key=lambda r: (r.model_probability, r.id), reverse=True)
        if after is not None:
            keep = [r for r in keep if (r.model_probability, r.id) < (after.probability, after.id)]
    else:
        keep.sort(key=lambda r: r.id, reverse=True)
        if after is not None:
            keep = [r for r in keep if r.id < after.id]
    return keep[:PAGE]


def _offset_peer(engine: Engine, f: QueueFilter, offset: int) -> list[Any]:
    stmt = queue_statement(f, None, PAGE).offset(offset)
    with engine.connect() as conn:
        return list(conn.execute(stmt).all())


def _plans(engine: Engine, named: dict[str, tuple[QueueFilter, Cursor | None]]) -> dict[str, str]:
    out = {}
    with engine.connect() as conn:
        for name, (f, after) in named.items():
            sql = queue_statement(f, after, PAGE + 1).compile(
                engine, compile_kwargs={"literal_binds": True}
            )
            plan = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
            out[name] = " | ".join(str(r[-1]) for r in plan)
    return out


def _http(engine: Engine, settings: ServingSettings, repeats: int) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    store = Store(engine)
    services = Services(
        settings=settings,
        holder=ModelHolder(settings),  # the queue pages need no model
        store=store,
        verifier=KeyVerifier(store, 30.0),
        metrics=ServiceMetrics(),
        rules=None,
    )
    token = create_key(store, "reviewer")[1]
    headers = {"Authorization": f"Bearer {token}"}
    out = {}
    with TestClient(create_app(settings, services=services), base_url="https://bench") as client:
        for name, path in {
            "page_queue": "/reviewer/queue",
            "page_queue_grade_high": "/reviewer/queue?grade=high",
            "page_disagreements": "/reviewer/disagreements",
        }.items():

            def get(p: str = path) -> None:
                res = client.get(p, headers=headers)
                assert res.status_code == 200, res.text[:200]

            out[name] = timed(get, repeats)
    return out


def run(n: int, repeats: int, blob: int) -> dict[str, Any]:
    """Fill, time the indexed queries, the HTTP pages and every peer; return the report."""
    with tempfile.TemporaryDirectory(prefix="bench-reviewer-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'audit.db'}"
        engine = make_engine(url, 4)
        init_db(engine)
        facts = fill(engine, n, blob)
        facts["db_mb"] = round((Path(tmp) / "audit.db").stat().st_size / 1e6, 1)
        named = cases(engine)
        store = ReviewerStore(engine)
        indexed = {
            name: timed(partial(store.queue_page, f, after, PAGE), repeats)
            for name, (f, after) in named.items()
        }
        counts = {
            "counts_all": timed(lambda: store.queue_counts(QueueFilter()), repeats),
            "counts_disagreements": timed(
                lambda: store.queue_counts(QueueFilter(disagreements=True)), repeats
            ),
        }
        plans = _plans(engine, named)
        settings = ServingSettings(database_url=url, web_page_size=PAGE)
        http = _http(engine, settings, repeats)
        offset = {
            "queue_offset_page_half": timed(
                lambda: _offset_peer(engine, QueueFilter(), n // 2), max(repeats // 4, 5)
            ),
        }
        python_peer = {
            name: timed(partial(_python_peer, engine, f, after), max(repeats // 8, 3))
            for name, (f, after) in named.items()
        }
        with engine.begin() as conn:
            for ix in INDEXES:
                conn.exec_driver_sql(f"DROP INDEX {ix}")
            conn.exec_driver_sql("ANALYZE")
        unindexed = {
            name: timed(partial(store.queue_page, f, after, PAGE), max(repeats // 4, 5))
            for name, (f, after) in named.items()
        }
        engine.dispose()
    return _report(facts, indexed, counts, http, plans, offset, python_peer, unindexed)


def _ratio(peer: dict[str, Any], ours: dict[str, Any]) -> dict[str, float]:
    return {k: round(peer[k]["p50_ms"] / max(ours[k]["p50_ms"], 1e-6), 1) for k in ours}


def _report(
    facts: dict[str, Any],
    indexed: dict[str, Any],
    counts: dict[str, Any],
    http: dict[str, Any],
    plans: dict[str, str],
    offset: dict[str, Any],
    python_peer: dict[str, Any],
    unindexed: dict[str, Any],
) -> dict[str, Any]:
    return {
        "benchmark": "reviewer queue (keyset pages on the 0002 indexes)",
        "database": "sqlite (WAL), file in a temp dir",
        "page_size": PAGE,
        "fill": facts,
        "indexed_pages": indexed,
        "indexed_counts": counts,
        "http_pages_in_process": http,
        "query_plans": plans,
        "peer_offset_pagination": offset,
        "peer_offset_vs_keyset_deep_page": round(
            offset["queue_offset_page_half"]["p50_ms"]
            / max(indexed["queue_deep_page"]["p50_ms"], 1e-6),
            1,
        ),
        "peer_no_indexes": unindexed,
        "peer_python_filter": python_peer,
        "ratio_no_indexes_over_indexed_p50": _ratio(unindexed, indexed),
        "ratio_python_over_indexed_p50": _ratio(python_peer, indexed),
    }


def main() -> None:
    """Parse arguments, run and print (and optionally save) the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--blob", type=int, default=2000, help="bytes of response/case JSON")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report = run(args.rows, args.repeats, args.blob)
    text_out = json.dumps(report, indent=2)
    print(text_out)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text_out + "\n")


if __name__ == "__main__":
    main()
