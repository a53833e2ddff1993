"""Score cases in-process straight into the audit log (so a fresh server's queue is not empty).

For the CLI (``make run``): the same validation, features, model, SHAP, rules and audit rows
as ``POST /v1/score/batch``, without HTTP or an API key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from features.rules import RulesConfig, load_config
from serving.db.session import init_db, make_engine
from serving.db.store import Store
from serving.model_loader import LoadedModel, load_model
from serving.scoring_service import ScoringContext, new_request_id, score_batch
from serving.security import Caller
from serving.settings import ServingSettings, get_settings

CHUNK: Final[int] = 1000


@dataclass(frozen=True)
class SeedOutcome:
    """Cases scored and recorded, cases rejected (with where and why), and the request ids.

    ``rejections`` name the case index, field location and rule only, never a value.
    """

    n_ok: int
    n_failed: int
    request_ids: list[str]
    review_suggested: int
    rejections: list[str] = field(default_factory=list)


def record_cases(
    cases: Sequence[Mapping[str, Any]],
    model: LoadedModel,
    store: Store,
    rules: RulesConfig | None = None,
    top_k: int = 5,
    caller_key_id: str = "local-seed",
) -> SeedOutcome:
    """Score request bodies with a loaded model, storing each scored case's audit record."""
    caller = Caller(caller_key_id, "case_system")
    ok = failed = suggested = 0
    ids: list[str] = []
    rejections: list[str] = []
    for start in range(0, len(cases), CHUNK):
        chunk = [dict(c) for c in cases[start : start + CHUNK]]
        out = score_batch(
            chunk, ScoringContext(model, rules, top_k, caller, new_request_id()), store
        )
        ok, failed = ok + out.n_ok, failed + out.n_failed
        suggested += sum(
            1 for i in out.results if i.result and i.result.recommendation.review_suggested
        )
        rejections += [
            f"case {start + item.index}: {'.'.join(map(str, e.loc))}: {e.msg}"
            for item in out.results
            for e in item.errors or []
        ]
        ids.append(out.request_id)
    return SeedOutcome(ok, failed, ids, suggested, rejections)


def score_and_record(
    cases: Sequence[Mapping[str, Any]],
    settings: ServingSettings | None = None,
    *,
    caller_key_id: str = "local-seed",
) -> SeedOutcome:
    """Score request bodies (``ScoreRequest`` dicts) and store their audit records.

    Uses the configured database (migrated first) and registered model, like the server.
    Invalid cases are counted in ``n_failed`` and skipped; nothing about them is logged.
    """
    settings = settings or get_settings()
    engine = make_engine(settings.database_url, 2, settings.sqlite_synchronous)
    try:
        init_db(engine)
        rules = load_config(settings.rules_config_path) if settings.rules_config_path else None
        return record_cases(
            cases,
            load_model(settings),
            Store(engine),
            rules,
            settings.top_contributions,
            caller_key_id,
        )
    finally:
        engine.dispose()
