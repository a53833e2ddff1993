"""Report figures (matplotlib, Agg backend): ROC, PR, calibration, capacity curve, SHAP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightgbm as lgb
import matplotlib
import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import precision_recall_curve, roc_curve

from training.evaluate import Evaluation


def _pyplot() -> Any:
    """Return pyplot on the non-interactive Agg backend."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def roc_pr_figure(evaluation: Evaluation, path: Path) -> Path:
    """Draw ROC and precision-recall curves of every model on the test period."""
    plt = _pyplot()
    fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, s in evaluation.scores.items():
        auc = evaluation.models[name]["roc_auc"]
        fpr, tpr, _ = roc_curve(evaluation.y, s.score)
        ax_roc.plot(fpr, tpr, label=f"{name} (AUC {auc:.3f})")
        prec, rec, _ = precision_recall_curve(evaluation.y, s.score)
        ax_pr.plot(rec, prec, label=f"{name} (AP {evaluation.models[name]['pr_auc']:.3f})")
    ax_roc.plot([0, 1], [0, 1], "k:", lw=1)
    ax_roc.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (test)")
    ax_pr.set(xlabel="recall", ylabel="precision", title="Precision-recall (test)")
    ax_roc.legend(fontsize=7)
    ax_pr.legend(fontsize=7)
    return _save(plt, fig, path)


def calibration_figure(evaluation: Evaluation, path: Path, n_bins: int = 10) -> Path:
    """Draw reliability curves (10 equal-width bins) of every probability model."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    top = 0.0
    for name, s in evaluation.scores.items():
        if not s.is_probability:
            continue
        frac, mean_p = calibration_curve(evaluation.y, s.score, n_bins=n_bins, strategy="uniform")
        ece = evaluation.models[name]["ece"]
        ax.plot(mean_p, frac, "o-", ms=3, label=f"{name} (ECE {ece:.3f})")
        top = max(top, float(np.max(mean_p, initial=0)), float(np.max(frac, initial=0)))
    ax.plot([0, top], [0, top], "k:", lw=1)
    ax.set(xlabel="mean predicted probability", ylabel="observed rate", title="Calibration")
    ax.legend(fontsize=7)
    return _save(plt, fig, path)


def capacity_figure(curve: pd.DataFrame, chosen: int, path: Path) -> Path:
    """Draw test AUC against per-row TreeSHAP time for each capacity (chosen one marked)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(curve["contrib_ms_per_row"], curve["test_auc"], "o-", label="test AUC")
    ax.plot(curve["contrib_ms_per_row"], curve["selection_auc"], "s--", label="calibration AUC")
    for _, row in curve.iterrows():
        label = f"{int(row.num_leaves)}L/d{int(row.max_depth)}/{int(row.n_trees)}t"
        ax.annotate(label, (row.contrib_ms_per_row, row.test_auc), fontsize=7)
    ax.axvline(curve["contrib_ms_per_row"].iloc[chosen], color="grey", ls=":", label="chosen")
    ax.set(xlabel="pred_contrib ms per row (1 thread)", ylabel="AUC", title="Capacity")
    ax.legend(fontsize=7)
    return _save(plt, fig, path)


def shap_figures(booster: lgb.Booster, sample: pd.DataFrame, directory: Path) -> list[Path]:
    """Draw the SHAP beeswarm and mean |SHAP| importance (log-odds) on a test sample."""
    import shap

    plt = _pyplot()
    explanation = shap.TreeExplainer(booster)(sample)
    paths = []
    for kind, draw in (("beeswarm", shap.plots.beeswarm), ("importance", shap.plots.bar)):
        plt.figure()
        draw(explanation, max_display=15, show=False)
        plt.title(f"SHAP {kind} (log-odds, test sample)", fontsize=9)
        paths.append(_save(plt, plt.gcf(), directory / f"shap_{kind}.png"))
    return paths


def _save(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
