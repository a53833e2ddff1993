"""Signed session cookies for the reviewer pages, and the CSRF tokens of their forms.

The session cookie holds the key id, role and a per-session CSRF token, signed and timestamped
with :mod:`itsdangerous`; never the API key itself. Login forms get their own short-lived token
(a signed cookie plus the same value in a hidden field), so every POST form is protected.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from serving.settings import ServingSettings

SESSION_COOKIE: Final[str] = "sl_session"
LOGIN_COOKIE: Final[str] = "sl_login"
LOGIN_MAX_AGE: Final[int] = 3600
COOKIE_PATH: Final[str] = "/"


@dataclass(frozen=True, slots=True)
class WebSession:
    """A logged-in reviewer: key id, role and the CSRF token of this session."""

    key_id: str
    role: str
    csrf: str


@cache
def process_secret() -> str:
    """Return a random secret made once per process (used when no secret is configured)."""
    return secrets.token_urlsafe(32)


def tokens_match(expected: str, given: str | None) -> bool:
    """Compare two tokens in constant time (a missing token never matches)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


class SessionCodec:
    """Signs and checks the session and login cookies, and sets them with safe flags."""

    def __init__(self, settings: ServingSettings) -> None:
        configured = settings.web_session_secret
        secret = configured.get_secret_value() if configured else process_secret()
        self._session = URLSafeTimedSerializer(secret, salt="secondlook-reviewer-session")
        self._login = URLSafeTimedSerializer(secret, salt="secondlook-reviewer-login")
        self.max_age = settings.web_session_minutes * 60
        self.secure = settings.web_cookie_secure

    def new_session(self, key_id: str, role: str) -> WebSession:
        """Return a fresh session with a new CSRF token."""
        return WebSession(key_id, role, secrets.token_urlsafe(24))

    def dump(self, session: WebSession) -> str:
        """Return the signed cookie value of a session."""
        return self._session.dumps({"k": session.key_id, "r": session.role, "c": session.csrf})

    def load(self, value: str | None) -> WebSession | None:
        """Return the session in a cookie value, or None if absent, forged or expired."""
        if not value:
            return None
        try:
            data: Any = self._session.loads(value, max_age=self.max_age)
        except BadSignature:  # SignatureExpired is a subclass
            return None
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "krc"):
            return None
        return WebSession(data["k"], data["r"], data["c"])

    def new_login_token(self) -> tuple[str, str]:
        """Return (token for the form, signed value for the login cookie)."""
        token = secrets.token_urlsafe(24)
        return token, self._login.dumps(token)

    def login_token_ok(self, cookie: str | None, given: str | None) -> bool:
        """Return whether the login form's token matches its signed, unexpired cookie."""
        if not cookie:
            return False
        try:
            expected: Any = self._login.loads(cookie, max_age=LOGIN_MAX_AGE)
        except BadSignature:
            return False
        return isinstance(expected, str) and tokens_match(expected, given)

    def _cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=COOKIE_PATH,
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )

    def set_session(self, response: Response, session: WebSession) -> None:
        """Set the session cookie (HttpOnly, SameSite=Strict, Secure unless relaxed)."""
        self._cookie(response, SESSION_COOKIE, self.dump(session), self.max_age)

    def set_login(self, response: Response, signed: str) -> None:
        """Set the login form's CSRF cookie."""
        self._cookie(response, LOGIN_COOKIE, signed, LOGIN_MAX_AGE)

    def clear(self, response: Response, name: str) -> None:
        """Delete a cookie (same flags, so browsers match it)."""
        response.delete_cookie(
            name, path=COOKIE_PATH, secure=self.secure, httponly=True, samesite="strict"
        )
