"""Sign-in, cookie flags, sessions without the key, CSRF on every form, roles and redirects."""

from __future__ import annotations

import httpx
import pytest
from itsdangerous import URLSafeTimedSerializer

from serving.web.session import SESSION_COOKIE
from tests.serving.helpers import bearer
from tests.web.web_util import TestClient, csrf_of, login


def _set_cookie_headers(response: httpx.Response) -> list[str]:
    return list(response.headers.get_list("set-cookie"))


def test_no_session_redirects_to_login(app_client: TestClient) -> None:
    pages = ("queue", "disagreements", "model", "cases/1")
    for path in (f"/reviewer/{p}" for p in pages):
        res = app_client.get(path, follow_redirects=False)
        assert res.status_code == 303
        assert res.headers["location"].startswith("/reviewer/login?next=")
    assert app_client.get("/", follow_redirects=False).headers["location"] == "/reviewer/queue"


def test_login_sets_a_signed_httponly_strict_secure_cookie(
    app_client: TestClient, web_keys: dict[str, str]
) -> None:
    res = login(app_client, web_keys["reviewer"], "/reviewer/disagreements")
    assert res.status_code == 303 and res.headers["location"] == "/reviewer/disagreements"
    cookie = next(c for c in _set_cookie_headers(res) if c.startswith(SESSION_COOKIE + "="))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= flags
    value = cookie.split(";")[0].split("=", 1)[1]
    token = web_keys["reviewer"]
    secret_part = token.split(".", 1)[1]
    assert token not in value and secret_part not in value
    payload = URLSafeTimedSerializer(
        "test-secret-not-for-production", salt="secondlook-reviewer-session"
    ).loads(value)
    assert payload["r"] == "reviewer" and set(payload) == {"k", "r", "s"}
    assert app_client.get("/reviewer/queue").status_code == 200


def test_secure_flag_can_be_relaxed_for_plain_http(web_settings, web_keys: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    from serving.app import create_app

    relaxed = web_settings.model_copy(update={"web_cookie_secure": False})
    with TestClient(create_app(relaxed)) as client:  # http://testserver
        from serving.security import create_key

        token = create_key(client.app.state.services.store, "reviewer")[1]  # type: ignore[attr-defined]
        res = login(client, token)
        cookie = next(c for c in _set_cookie_headers(res) if c.startswith(SESSION_COOKIE + "="))
        assert "secure" not in cookie.lower() and "httponly" in cookie.lower()
        assert client.get("/reviewer/queue").status_code == 200


@pytest.mark.parametrize("role", ["researcher", "case_system"])
def test_other_roles_cannot_sign_in_or_read_pages(
    app_client: TestClient, web_keys: dict[str, str], role: str
) -> None:
    res = login(app_client, web_keys[role])
    assert res.status_code == 403 and "may not use the reviewer pages" in res.text
    assert SESSION_COOKIE not in app_client.cookies
    for path in ("/reviewer/queue", "/reviewer/model", "/reviewer/disagreements"):
        page = app_client.get(path, headers=bearer(web_keys[role]), follow_redirects=False)
        assert page.status_code == 403, path


def test_admin_can_sign_in(app_client: TestClient, web_keys: dict[str, str]) -> None:
    assert login(app_client, web_keys["admin"]).status_code == 303
    assert app_client.get("/reviewer/model").status_code == 200


def test_bad_key_is_refused(app_client: TestClient, web_keys: dict[str, str]) -> None:
    assert login(app_client, "sl_nothing.here").status_code == 401
    forged = web_keys["reviewer"][:-3] + "xyz"
    assert login(app_client, forged).status_code == 401
    assert app_client.get("/reviewer/queue", follow_redirects=False).status_code == 303


def test_login_form_needs_its_csrf_token(app_client: TestClient, web_keys: dict[str, str]) -> None:
    app_client.get("/reviewer/login")
    for token in ("", "wrong"):
        data = {"api_key": web_keys["reviewer"], "csrf_token": token}
        res = app_client.post("/reviewer/login", data=data, follow_redirects=False)
        assert res.status_code == 403
    assert app_client.get("/reviewer/queue", follow_redirects=False).status_code == 303


def test_forged_or_tampered_session_cookie_is_ignored(
    reviewer_client: TestClient,
) -> None:
    value = reviewer_client.cookies[SESSION_COOKIE]
    reviewer_client.cookies.set(SESSION_COOKIE, value[:-2] + "AA", domain="testserver.local")
    reviewer_client.cookies.clear()
    reviewer_client.cookies.set(SESSION_COOKIE, value[:-2] + "AA")
    assert reviewer_client.get("/reviewer/queue", follow_redirects=False).status_code == 303
    other = URLSafeTimedSerializer("another-secret", salt="secondlook-reviewer-session")
    reviewer_client.cookies.set(SESSION_COOKIE, other.dumps({"k": "kx", "r": "admin", "c": "x"}))
    assert reviewer_client.get("/reviewer/queue", follow_redirects=False).status_code == 303


def test_revoking_the_key_ends_the_session(
    reviewer_client: TestClient, web_keys: dict[str, str]
) -> None:
    from datetime import UTC, datetime

    store = reviewer_client.app.state.services.store  # type: ignore[attr-defined]
    key_id = web_keys["reviewer"].removeprefix("sl_").split(".")[0]
    assert store.revoke_key(key_id, datetime.now(UTC))
    assert reviewer_client.get("/reviewer/queue", follow_redirects=False).status_code == 303


def test_logout_needs_csrf_and_clears_the_cookie(reviewer_client: TestClient) -> None:
    page = reviewer_client.get("/reviewer/queue")
    bad = reviewer_client.post("/reviewer/logout", data={"csrf_token": "nope"})
    assert bad.status_code == 403
    assert reviewer_client.get("/reviewer/queue").status_code == 200
    res = reviewer_client.post(
        "/reviewer/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert res.status_code == 303 and res.headers["location"] == "/reviewer/login"
    assert reviewer_client.get("/reviewer/queue", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_on_the_server(reviewer_client: TestClient) -> None:
    copied = reviewer_client.cookies[SESSION_COOKIE]  # e.g. taken from a shared machine
    page = reviewer_client.get("/reviewer/queue")
    reviewer_client.post("/reviewer/logout", data={"csrf_token": csrf_of(page.text)})
    reviewer_client.cookies.set(SESSION_COOKIE, copied)
    assert reviewer_client.get("/reviewer/queue", follow_redirects=False).status_code == 303


def test_each_form_token_is_used_once(reviewer_client: TestClient, scored_ids: list[int]) -> None:
    url = f"/reviewer/cases/{scored_ids[0]}"
    first, second = (csrf_of(reviewer_client.get(url).text) for _ in range(2))
    assert first != second  # every rendered form has its own token
    data = {"decision": "agree", "reason": "seen"}
    posted = reviewer_client.post(f"{url}/reviews", data={"csrf_token": first, **data})
    assert posted.status_code == 200 and "recorded=1" in str(posted.url)
    replay = reviewer_client.post(f"{url}/reviews", data={"csrf_token": first, **data})
    assert replay.status_code == 403 and "security token" in replay.text
    fresh = reviewer_client.post(f"{url}/reviews", data={"csrf_token": second, **data})
    assert fresh.status_code == 200


def test_a_sign_in_form_can_be_sent_once(app_client: TestClient, web_keys: dict[str, str]) -> None:
    page = app_client.get("/reviewer/login")
    data = {"api_key": web_keys["reviewer"], "csrf_token": csrf_of(page.text)}
    assert app_client.post("/reviewer/login", data=data, follow_redirects=False).status_code == 303
    app_client.cookies.delete(SESSION_COOKIE)
    again = app_client.post("/reviewer/login", data=data, follow_redirects=False)
    assert again.status_code == 403 and SESSION_COOKIE not in again.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/v1/model", "/reviewer/login"]
)
def test_next_never_leaves_the_reviewer_pages(
    app_client: TestClient, web_keys: dict[str, str], target: str
) -> None:
    res = login(app_client, web_keys["reviewer"], target)
    assert res.headers["location"] == "/reviewer/queue"


def test_pages_send_security_headers(reviewer_client: TestClient) -> None:
    res = reviewer_client.get("/reviewer/queue")
    assert "default-src 'none'" in res.headers["content-security-policy"]
    assert res.headers["cache-control"] == "no-store"
    assert res.headers["x-frame-options"] == "DENY"
    css = reviewer_client.get("/reviewer/static/style.css")
    assert css.status_code == 200 and ":focus-visible" in css.text
    assert reviewer_client.get("/reviewer/static/review.js").status_code == 200


def test_pages_are_not_in_the_openapi_schema(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/reviewer") or p == "/"]
