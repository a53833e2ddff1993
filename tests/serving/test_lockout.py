"""Failed keys lock out their address and key id (429, logged); good keys are unaffected."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from serving.app import create_app
from serving.security import create_key
from serving.settings import ServingSettings
from serving.throttle import FailureThrottle
from tests.serving.helpers import bearer


class Clock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_subject_is_locked_after_max_failures_in_the_window() -> None:
    clock = Clock()
    throttle = FailureThrottle(3, window=60, lockout=300, clock=clock)
    assert throttle.fail("addr:a", "key:k") == []
    clock.now += 61  # the first failure leaves the window
    assert throttle.fail("addr:a", "key:k") == [] and throttle.fail("addr:a") == []
    assert throttle.retry_after("addr:a") == 0
    assert throttle.fail("addr:a") == ["addr:a"]
    assert throttle.retry_after("addr:b", "addr:a") == 300
    assert throttle.retry_after("key:k") == 0
    clock.now += 300
    assert throttle.retry_after("addr:a") == 0


@given(st.lists(st.sampled_from(["addr:a", "addr:b", "key:k"]), max_size=60))
def test_no_subject_gets_more_than_max_failures_before_its_lockout(subjects: list[str]) -> None:
    throttle = FailureThrottle(5, window=60, lockout=300, clock=Clock())
    counted: dict[str, int] = {}
    for subject in subjects:
        if throttle.retry_after(subject) > 0:
            continue  # refused before the key is checked
        counted[subject] = counted.get(subject, 0) + 1
        throttle.fail(subject)
    assert all(n <= 5 for n in counted.values())


@pytest.fixture
def strict(settings: ServingSettings) -> Iterator[TestClient]:
    """An app that locks out after 3 failures."""
    tight = settings.model_copy(update={"auth_max_failures": 3, "auth_lockout_seconds": 60})
    with TestClient(create_app(tight), base_url="https://testserver") as client:
        yield client


def test_wrong_keys_lock_out_the_address_with_a_logged_429(
    strict: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    store = strict.app.state.services.store  # type: ignore[attr-defined]
    good = create_key(store, "reviewer")[1]
    with caplog.at_level(logging.INFO, logger="secondlook.security"):
        codes = [
            strict.get("/v1/audit/summary", headers=bearer(f"sl_kguess{i}.x")).status_code
            for i in range(4)
        ]
        locked = strict.get("/v1/audit/summary", headers=bearer(good))
    assert codes == [401, 401, 429, 429]
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 59
    events = [getattr(r, "event", None) for r in caplog.records]
    assert events.count("api_key_refused") == 3 and events.count("api_key_locked_out") == 1


def test_sign_in_guesses_lock_out_with_a_logged_event(
    strict: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.web.web_util import login

    with caplog.at_level(logging.INFO, logger="secondlook.security"):
        codes = [login(strict, f"sl_kguess{i}.x").status_code for i in range(4)]
    assert codes == [401, 401, 429, 429]
    events = [getattr(r, "event", None) for r in caplog.records]
    assert events.count("sign_in_failed") == 3 and events.count("sign_in_locked_out") == 1
