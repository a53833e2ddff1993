"""Key checks with lockout: every failed key counts against its key id and the client address.

Used by the API's authentication, the pre-body check of :mod:`serving.api.limits` and the
reviewer sign-in, so one throttle sees every guess whichever door it comes through.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Final

from serving.security import Caller, KeyVerifier, split_token
from serving.security_events import Event, security_event
from serving.throttle import FailureThrottle

UNKNOWN_CLIENT: Final[str] = "unknown"
KEY_ID: Final[re.Pattern[str]] = re.compile(r"k[0-9a-f]{12}")  # as serving.security makes them


class LockedOutError(Exception):
    """Too many failed attempts from this address or for this key id: refused for a while."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many failed authentication attempts")
        self.retry_after = max(1, math.ceil(retry_after))


def clean_address(host: str | None) -> str:
    """Return ``host`` if it is an IP address, else 'unknown' (a proxy header may say anything)."""
    try:
        return str(ipaddress.ip_address(host or ""))
    except ValueError:
        return UNKNOWN_CLIENT


def claimed_key_id(token: str) -> str | None:
    """Return the key id a token claims if it has the form of one (never other text)."""
    parts = split_token(token)
    return parts[0] if parts and KEY_ID.fullmatch(parts[0]) else None


def subjects(token: str, client: str) -> tuple[str, ...]:
    """Return the throttle subjects of an attempt: its client address and, if any, key id."""
    key_id = claimed_key_id(token)
    addr = f"addr:{client}"
    return (addr, f"key:{key_id}") if key_id else (addr,)


def verify_throttled(
    verifier: KeyVerifier,
    throttle: FailureThrottle,
    token: str,
    client: str,
    refused: Event = "api_key_refused",
    locked: Event = "api_key_locked_out",
) -> Caller | None:
    """Return the caller of ``token``, None if it is not valid; raise while locked out."""
    who = subjects(token, client)
    wait = throttle.retry_after(*who)
    if wait > 0:
        raise LockedOutError(wait)
    caller = verifier.verify(token) if token else None
    if caller is not None:
        return caller
    key_id = claimed_key_id(token)
    security_event(refused, key_id=key_id, client=client)
    newly = throttle.fail(*who)
    if newly:
        seconds = int(throttle.lockout)
        for subject in newly:
            what = subject.partition(":")[0]
            security_event(locked, key_id=key_id, client=client, what=what, retry_after_s=seconds)
        raise LockedOutError(throttle.lockout)
    return None
