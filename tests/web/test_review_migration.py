"""Migration 0003: earlier reviews get the grade their case held after them; it downgrades."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from serving.db.session import alembic_config, make_engine


def _run(url: str, revision: str, down: bool = False) -> None:
    engine = make_engine(url)
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, revision)
    engine.dispose()


def test_backfill_keeps_an_earlier_raise_and_downgrade_removes_the_column(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    _run(url, "0002")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO score_audit (id, request_id, item_index, caller_key_id, created_at,"
                " model_name, model_version, rules_version, assessment_id, input_sha256,"
                " statutory_grade, model_band, model_probability, review_suggested, response_json)"
                " VALUES (1, 'r', 0, 'k', '2026-01-01', 'm', '1', 'v1', 'A1', 'h', 'standard',"
                " 'high', 0.9, 1, '{}')"
            )
        )
        for i, (decision, raised) in enumerate([("agree", None), ("raise", "high"),
                                                ("agree", None)], start=1):  # fmt: skip
            conn.execute(
                text(
                    "INSERT INTO reviews (id, audit_id, decision, raised_to, reason,"
                    " reviewer_key_id, created_at) VALUES (:i, 1, :d, :r, 'x', 'k', '2026-01-02')"
                ),
                {"i": i, "d": decision, "r": raised},
            )
    engine.dispose()
    _run(url, "0003")
    engine = make_engine(url)
    with engine.connect() as conn:
        after = conn.execute(text("SELECT grade_after FROM reviews ORDER BY id")).scalars().all()
    engine.dispose()
    assert after == ["standard", "high", "high"]
    _run(url, "0002", down=True)
    engine = make_engine(url)
    with engine.connect() as conn:
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(reviews)"))]
    engine.dispose()
    assert "grade_after" not in columns and "raised_to" in columns
