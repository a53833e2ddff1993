"""Officer effect: how much DASH yes-count variance the asking officer explains, and a funnel.

The yes-count is modelled as ``yes = case covariates + u_officer + e`` with a random
intercept per officer (statsmodels ``MixedLM``, REML). Covariates that are linear
combinations of others (e.g. a dyad count equal to the victim's count when every victim has
one perpetrator) are dropped first: with a rank-deficient design the REML likelihood is
unbounded at a zero officer variance, and the optimiser stops there. The fit starts from
the method-of-moments estimate, and falls back to Powell's method when L-BFGS does not
reach a finite likelihood. The officer intraclass correlation
``var(u) / (var(u) + var(e))`` is the share of the remaining (case-adjusted) variance that
lies between officers. Its interval comes from an officer-level bootstrap of a
method-of-moments estimator on covariate-adjusted residuals (MixedLM refits per draw would
be too slow), shifted to centre on the REML estimate. The funnel compares each officer's
high-grade rate with the rate a logistic model of their cases predicts (``bias_audit.funnel``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.linalg
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from statsmodels.regression.mixed_linear_model import MixedLM, MixedLMParams

from bias_audit.errors import AuditInputError
from bias_audit.funnel import funnel

FloatArray = npt.NDArray[np.float64]


def _design(frame: pd.DataFrame, covariates: Sequence[str]) -> tuple[FloatArray, list[str]]:
    """Return the standardised covariates (constant columns dropped) and the kept names."""
    for column in covariates:
        if column not in frame.columns:
            raise AuditInputError(column, "a numeric case covariate", "no such column")
    x = frame[list(covariates)].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    x = np.where(np.isfinite(x), x, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column is constant
        fill = np.nan_to_num(np.nanmedian(x, axis=0)) if len(x) else np.zeros(x.shape[1])
    x = np.where(np.isnan(x), fill, x)
    keep = x.std(axis=0) > 0
    names = [c for c, k in zip(covariates, keep, strict=True) if k]
    return np.asarray(StandardScaler().fit_transform(x[:, keep]), dtype=np.float64), names


def full_rank(x: FloatArray, tol: float = 1e-8) -> npt.NDArray[np.int64]:
    """Return the sorted indices of a linearly independent subset of ``x``'s columns.

    QR with column pivoting: a column is kept when its pivot is above ``tol`` times the
    largest one (columns are standardised, so the scale is comparable).
    """
    if x.shape[1] == 0:
        return np.zeros(0, dtype=np.int64)
    _, r, pivot = scipy.linalg.qr(x, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    return np.sort(pivot[: len(diag)][diag > tol * diag[0]]).astype(np.int64)


def _fit(model: MixedLM, start: MixedLMParams, method: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; 'converged' is reported instead
        return model.fit(reml=True, start_params=start, method=method)


def _mixedlm(
    y: FloatArray, x: FloatArray, officer: npt.NDArray[np.int64], start_ratio: float
) -> tuple[float, float, bool]:
    """Fit the random-intercept model by REML from a moment start ``var_u / var_e``."""
    design = sm.add_constant(x, has_constant="add")
    model = MixedLM(y, design, groups=officer)
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    ratio = np.array([[max(start_ratio, 1e-3)]])
    start = MixedLMParams.from_components(fe_params=beta, cov_re=ratio)
    fit = _fit(model, start, "lbfgs")
    if not np.isfinite(fit.llf):
        fit = _fit(model, start, "powell")
    converged = bool(fit.converged) and bool(np.isfinite(fit.llf))
    return float(np.asarray(fit.cov_re)[0, 0]), float(fit.scale), converged


def moment_icc(
    resid: FloatArray, officer: npt.NDArray[np.int64], weights: FloatArray
) -> FloatArray:
    """Return the one-way ANOVA ICC for each row of officer ``weights`` (draws x officers)."""
    n_k = np.bincount(officer).astype(np.float64)
    s_k = np.bincount(officer, weights=resid)
    ss_k = np.bincount(officer, weights=resid**2)
    n, k = weights @ n_k, weights.sum(axis=1)
    total, total_sq = weights @ s_k, weights @ ss_k
    within = total_sq - weights @ (s_k**2 / np.maximum(n_k, 1))
    between = weights @ (s_k**2 / np.maximum(n_k, 1)) - total**2 / n
    msw, msb = within / (n - k), between / np.maximum(k - 1, 1)
    n0 = (n - (weights @ n_k**2) / n) / np.maximum(k - 1, 1)
    var_u = np.maximum((msb - msw) / n0, 0.0)
    return np.asarray(var_u / (var_u + msw))


def _icc_interval(
    y: FloatArray, x: FloatArray, officer: npt.NDArray[np.int64], n_boot: int, seed: int
) -> tuple[float, FloatArray]:
    design = np.column_stack([np.ones(len(y)), x])
    resid = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    k = int(officer.max()) + 1
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(k, np.full(k, 1.0 / k), size=n_boot).astype(np.float64)
    full = float(moment_icc(resid, officer, np.ones((1, k)))[0])
    return full, moment_icc(resid, officer, draws)


def _subsample(frame: pd.DataFrame, max_rows: int, seed: int) -> pd.DataFrame:
    if len(frame) <= max_rows:
        return frame
    return frame.sample(n=max_rows, random_state=seed)


def _expected_high(flag: npt.NDArray[np.bool_], x: FloatArray) -> FloatArray:
    if flag.all() or not flag.any():
        return np.full(len(flag), float(flag.mean()))
    model = LogisticRegression(max_iter=500).fit(x, flag)
    return np.asarray(model.predict_proba(x)[:, 1], dtype=np.float64)


def _variance_part(
    frame: pd.DataFrame, officer: str, yes_count: str, covariates: Sequence[str], opts: Any
) -> dict[str, Any]:
    sub = _subsample(frame, opts["max_rows"], opts["seed"])
    y = pd.to_numeric(sub[yes_count], errors="coerce").to_numpy(np.float64)
    if not np.isfinite(y).all():
        raise AuditInputError(yes_count, "a numeric yes-count on every row")
    x, names = _design(sub, covariates)
    kept = full_rank(x)
    x, codes = x[:, kept], pd.factorize(sub[officer])[0].astype(np.int64)
    mom, draws = _icc_interval(y, x, codes, opts["n_boot"], opts["seed"])
    var_u, var_e, converged = _mixedlm(y, x, codes, mom / max(1.0 - mom, 1e-9))
    icc = var_u / (var_u + var_e)
    lo, hi = np.quantile(draws + (icc - mom), [0.025, 0.975])
    return {
        "icc": icc,
        "icc_ci": [float(max(lo, 0.0)), float(hi)],
        "moment_icc": mom,
        "officer_sd": float(np.sqrt(var_u)),
        "residual_sd": float(np.sqrt(var_e)),
        "n_officers": int(codes.max()) + 1,
        "n_assessments": len(sub),
        "converged": converged,
        "covariates": [names[i] for i in kept],
        "covariates_dropped": [c for c in covariates if c not in {names[i] for i in kept}],
    }


def officer_effect(
    frame: pd.DataFrame,
    officer: str,
    yes_count: str,
    covariates: Sequence[str],
    grade: str | None = "officer_grade",
    high: str = "high",
    n_boot: int = 200,
    max_rows: int = 60_000,
    seed: int = 0,
    min_people: int = 10,
    min_events: int = 5,
    key: bytes | None = None,
) -> dict[str, Any]:
    """Return the officer ICC of the yes-count after case covariates, and the funnel data.

    ``max_rows`` caps the rows given to MixedLM (a random sample), which keeps the fit to
    seconds on a 100k-victim cohort; the funnel uses every row, under the disclosure rule
    (``min_people`` assessments, ``min_events`` high and other grades) with officers named by
    a keyed hash (``key``; a fresh random one when not given).
    """
    for column in (officer, yes_count, *([grade] if grade else [])):
        if column not in frame.columns:
            raise AuditInputError(column, "a column for the officer-effect analysis", "missing")
    opts = {"max_rows": max_rows, "seed": seed, "n_boot": n_boot}
    out = _variance_part(frame, officer, yes_count, covariates, opts)
    if grade is not None:
        flag = frame[grade].astype(str).eq(high).to_numpy()
        expected = _expected_high(flag, _design(frame, covariates)[0])
        out |= funnel(flag, expected, frame[officer], min_people, min_events, key)
        out["n_outside_99_8"] = sum(o["outside_99_8"] for o in out["officers"])
        out["expected_outside_99_8"] = 0.002 * len(out["officers"])
    out["summary"] = (
        f"After case covariates, {out['icc']:.1%} of the remaining variance in the DASH "
        f"yes-count lies between the officers who asked (random-intercept SD "
        f"{out['officer_sd']:.2f} yes answers)."
    )
    return out
