"""The officer funnel: each officer's high-grade rate against what their cases predict.

Officers are people too, so the funnel follows the audit's disclosure rule: an officer is
shown only with at least ``min_people`` assessments and at least ``min_events`` high grades
and as many other grades; when exactly one officer is withheld, the next smallest is withheld
with them, so the public totals do not give the withheld one away. Officer identifiers never
leave the audit: each shown officer is named by a keyed hash (HMAC-SHA256) under a key that
is drawn per audit and not kept, so the names are stable within one report and link to
nothing outside it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
Z95, Z998 = 1.959964, 3.090232


def pseudonym(officer_id: str, key: bytes) -> str:
    """Return the officer's pseudonym under ``key``."""
    digest = hmac.new(key, str(officer_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"officer {digest[:10]}"


def withheld_officers(
    n: FloatArray, high: FloatArray, min_people: int, min_events: int
) -> npt.NDArray[np.bool_]:
    """Return the officers below the rule, plus a partner when only one is below it."""
    out = (n < min_people) | (high < min_events) | (n - high < min_events)
    if out.sum() == 1 and len(n) > 1:
        shown = np.flatnonzero(~out)
        out[shown[np.argmin(n[shown])]] = True
    return np.asarray(out)


def _limits(expected: FloatArray, n_max: float) -> list[dict[str, float]]:
    p = float(expected.mean())
    grid = np.unique(np.geomspace(1, max(n_max, 2), 60).round())
    base = np.sqrt(p * (1 - p) / grid)
    return [
        {"n": float(g), "z95": float(Z95 * b), "z998": float(Z998 * b)}
        for g, b in zip(grid, base, strict=True)
    ]


def funnel(
    flag: npt.NDArray[np.bool_],
    expected: FloatArray,
    officer: pd.Series,
    min_people: int = 10,
    min_events: int = 5,
    key: bytes | None = None,
) -> dict[str, Any]:
    """Return shown officers (pseudonymised) with observed vs expected rates, limits and counts."""
    key = key if key is not None else secrets.token_bytes(32)
    codes, ids = pd.factorize(officer)
    n = np.bincount(codes).astype(np.float64)
    high = np.bincount(codes, weights=flag.astype(np.float64)).astype(np.float64)
    obs, exp = high / n, np.bincount(codes, weights=expected) / n
    sd = np.sqrt(np.bincount(codes, weights=expected * (1 - expected))) / n
    z = np.where(sd > 0, (obs - exp) / np.where(sd > 0, sd, 1.0), 0.0)
    withheld = withheld_officers(n, high, min_people, min_events)
    officers = [
        {
            "officer": pseudonym(str(ids[int(i)]), key),
            "assessments": int(n[i]),
            "observed_rate": float(obs[i]),
            "expected_rate": float(exp[i]),
            "z": float(z[i]),
            "outside_95": bool(abs(z[i]) > Z95),
            "outside_99_8": bool(abs(z[i]) > Z998),
        }
        for i in np.flatnonzero(~withheld)
    ]
    return {
        "officers": officers,
        "limits": _limits(expected, float(n.max())),
        "officers_withheld": int(withheld.sum()),
    }
