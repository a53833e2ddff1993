"""Arbitrary bytes as a body and out-of-range cursors: always a 4xx (or a page), never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.serving.helpers import bearer
from tests.web.web_util import TestClient, csrf_of

CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/plain", "")


@pytest.mark.parametrize(
    "after", ["9999999999999999999", "99999999999999999999999", "-1", "1e400", "0x10"]
)
def test_cursors_out_of_range_are_400s(reviewer_client: TestClient, after: str) -> None:
    assert reviewer_client.get(f"/reviewer/queue?after={after}").status_code == 400
    page = reviewer_client.get(f"/reviewer/disagreements?after=0.5:{after}")
    assert page.status_code == 400


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.binary(max_size=2048), content_type=st.sampled_from(CONTENT_TYPES))
def test_arbitrary_bytes_never_make_a_server_error(
    reviewer_client: TestClient, web_keys: dict[str, str], body: bytes, content_type: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    api = {**headers, **bearer(web_keys["case_system"])}
    admin = {**headers, **bearer(web_keys["admin"])}
    csrf = csrf_of(reviewer_client.get("/reviewer/login").text)
    posts = (
        ("/v1/score", api, body),
        ("/v1/score/batch", api, body),
        ("/v1/admin/reload", admin, body),
        ("/reviewer/login", headers, body + b"&csrf_token=" + csrf.encode()),
        ("/reviewer/logout", headers, body),
        ("/reviewer/cases/1/reviews", headers, body),
    )
    for path, sent, content in posts:
        res = reviewer_client.post(path, content=content, headers=sent, follow_redirects=False)
        assert res.status_code < 500, (path, res.status_code)
