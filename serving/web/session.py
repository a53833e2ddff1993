"""Signed session cookies for the reviewer pages, and the CSRF tokens of their forms.

The session cookie holds the key id, role and a random session id, signed and timestamped
with :mod:`itsdangerous`; never the API key itself. Every rendered form gets its own CSRF
token (signed, bound to the session id), used once: the routes spend it in the spent-token
table, where sign-out also spends the session id, ending the session on the server. Login
forms get their own short-lived token (a signed cookie plus the same value in a hidden field).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
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
    """A logged-in reviewer: key id, role and session id ('' for a header-only caller)."""

    key_id: str
    role: str
    sid: str
    mint: Callable[[str], str] | None = field(default=None, compare=False, repr=False)

    @property
    def csrf(self) -> str:
        """Return a fresh single-use CSRF token for one form (none for a header-only caller)."""
        return self.mint(self.sid) if self.mint is not None and self.sid else ""


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
        self._form = URLSafeTimedSerializer(secret, salt="secondlook-reviewer-form")
        self.max_age = settings.web_session_minutes * 60
        self.secure = settings.web_cookie_secure

    def new_session(self, key_id: str, role: str) -> WebSession:
        """Return a fresh session with a new random session id."""
        return WebSession(key_id, role, secrets.token_urlsafe(24), self.new_form_token)

    def dump(self, session: WebSession) -> str:
        """Return the signed cookie value of a session."""
        return self._session.dumps({"k": session.key_id, "r": session.role, "s": session.sid})

    def new_form_token(self, sid: str) -> str:
        """Return a new CSRF token for one form of session ``sid``."""
        return self._form.dumps({"s": sid, "n": secrets.token_urlsafe(12)})

    def form_token_ok(self, session: WebSession, token: str | None) -> bool:
        """Return whether ``token`` was made for a form of this session and has not expired."""
        if not token or not session.sid:
            return False
        try:
            data: Any = self._form.loads(token, max_age=self.max_age)
        except BadSignature:
            return False
        sid = data.get("s") if isinstance(data, dict) else None
        return isinstance(sid, str) and tokens_match(session.sid, sid)

    def load(self, value: str | None) -> WebSession | None:
        """Return the session in a cookie value, or None if absent, forged or expired."""
        if not value:
            return None
        try:
            data: Any = self._session.loads(value, max_age=self.max_age)
        except BadSignature:  # SignatureExpired is a subclass
            return None
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "krs"):
            return None
        return WebSession(data["k"], data["r"], data["s"], self.new_form_token)

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
