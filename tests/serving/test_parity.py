"""The API builds the same features and statutory grade as the batch pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.engine import build_features, case_features
from features.rules import grade_case, grade_table
from serving.case_builder import to_case
from serving.schemas import ScoreRequest
from tests.serving.requests_util import case_request


def _cases(tables: dict[str, pd.DataFrame], n: int) -> list[str]:
    ids = tables["dash_assessments"]["assessment_id"].tolist()
    return ids[:: max(len(ids) // n, 1)][:n]


def test_api_feature_vector_equals_the_batch_pipeline(tables: dict[str, pd.DataFrame]) -> None:
    batch = build_features(tables)
    compared = 0
    for aid in _cases(tables, 150):
        req = ScoreRequest.model_validate(case_request(tables, aid))
        online = case_features(to_case(req))
        offline = batch.loc[aid].to_numpy(dtype=np.float64)
        np.testing.assert_array_equal(online, offline, err_msg=aid)
        compared += 1
    assert compared == 150


def test_api_statutory_grade_equals_the_batch_rules(tables: dict[str, pd.DataFrame]) -> None:
    graded = grade_table(tables).set_index("assessment_id")
    for aid in _cases(tables, 150):
        req = ScoreRequest.model_validate(case_request(tables, aid))
        result = grade_case(to_case(req))
        assert result.grade == graded.loc[aid, "statutory_grade"], aid
        assert result.yes_count == graded.loc[aid, "yes_count"], aid


def test_history_order_in_the_request_does_not_matter(tables: dict[str, pd.DataFrame]) -> None:
    body = next(
        b
        for b in (case_request(tables, a) for a in _cases(tables, 300))
        if len(b["prior_incidents"]) > 2 and len(b["history_events"]) > 1
    )
    shuffled = {**body, **{k: body[k][::-1] for k in ("prior_incidents", "history_events")}}
    a = case_features(to_case(ScoreRequest.model_validate(body)))
    b = case_features(to_case(ScoreRequest.model_validate(shuffled)))
    np.testing.assert_array_equal(a, b)
