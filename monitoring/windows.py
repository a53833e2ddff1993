"""Time windows of scored cases: calendar months (default) or ISO weeks."""

from __future__ import annotations

from typing import Final, Literal, get_args

import pandas as pd

Window = Literal["month", "week"]
WINDOWS: Final[tuple[Window, ...]] = get_args(Window)
_FREQ: Final[dict[str, str]] = {"month": "M", "week": "W"}


def window_labels(times: pd.Series, window: Window = "month") -> pd.Series:
    """Return each time's window label ('2024-01' for a month, '2024-01-01/2024-01-07' a week)."""
    if window not in _FREQ:
        raise ValueError(f"window must be one of {WINDOWS}, got {window!r}")
    stamps = pd.to_datetime(times)
    return stamps.dt.to_period(_FREQ[window]).astype(str)
