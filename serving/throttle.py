"""Lockout after repeated failed authentication, per key id and per client address.

A subject (``key:<id>`` or ``addr:<ip>``) that fails ``max_failures`` times within ``window``
seconds is locked for ``lockout`` seconds: every attempt is refused with 429 without checking
the key, so guessing stops being worth it. State is in memory, per process.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

MAX_SUBJECTS: Final[int] = 100_000  # bounds memory under a flood of made-up key ids


@dataclass
class _State:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class FailureThrottle:
    """Counts failures per subject in a sliding window and locks subjects out."""

    def __init__(
        self,
        max_failures: int,
        window: float,
        lockout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures, self.window, self.lockout = max_failures, window, lockout
        self._clock = clock
        self._states: dict[str, _State] = {}
        self._lock = threading.Lock()

    def retry_after(self, *subjects: str) -> float:
        """Return the seconds left on the longest lockout among ``subjects`` (0 if none)."""
        now = self._clock()
        with self._lock:
            left = [st.locked_until - now for s in subjects if (st := self._states.get(s))]
        return max([0.0, *left])

    def fail(self, *subjects: str) -> list[str]:
        """Record one failure for each subject; return the subjects this failure locked out."""
        now, locked = self._clock(), []
        with self._lock:
            if len(self._states) > MAX_SUBJECTS:
                self._prune(now)
            for subject in subjects:
                state = self._states.setdefault(subject, _State())
                state.failures.append(now)
                while state.failures and state.failures[0] <= now - self.window:
                    state.failures.popleft()
                if len(state.failures) >= self.max_failures and state.locked_until <= now:
                    state.locked_until = now + self.lockout
                    state.failures.clear()
                    locked.append(subject)
        return locked

    def _prune(self, now: float) -> None:
        stale = [
            s
            for s, st in self._states.items()
            if st.locked_until <= now and (not st.failures or st.failures[-1] <= now - self.window)
        ]
        for subject in stale:
            del self._states[subject]
        if len(self._states) > MAX_SUBJECTS:  # still full: forget the oldest half
            for subject in list(self._states)[: len(self._states) // 2]:
                del self._states[subject]
