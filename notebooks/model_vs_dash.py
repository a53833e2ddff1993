# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Second Look model vs the DASH count
#
# This notebook reads the **latest training run** from MLflow (the tracking URI comes from
# `MLFLOW_TRACKING_URI`, else `sqlite:///mlruns/mlflow.db`) and walks through how the model
# compares with the DASH 'yes' count, the statutory grade and the officer's grade on the
# test period. Everything here is read back from the run: nothing is refitted.

# %%
import json
import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import mlflow  # noqa: E402
import pandas as pd  # noqa: E402

uri = os.environ.get("MLFLOW_TRACKING_URI", f"sqlite:///{Path('mlruns').resolve()}/mlflow.db")
experiment = os.environ.get("SECONDLOOK_TRAIN_EXPERIMENT_NAME", "secondlook")
out_dir = Path(os.environ.get("NOTEBOOK_OUT", tempfile.mkdtemp(prefix="model_vs_dash_")))
out_dir.mkdir(parents=True, exist_ok=True)
mlflow.set_tracking_uri(uri)

# %% [markdown]
# ## The latest run

# %%
runs = mlflow.search_runs(
    experiment_names=[experiment], order_by=["attributes.start_time DESC"], max_results=1
)
if runs.empty:
    raise SystemExit(f"no runs in experiment {experiment!r} at {uri}")
run = runs.iloc[0]
run_id = run["run_id"]
print("run", run_id, "target", run["params.target"], "alias", run["tags.alias_decision"])
print("split:", {k.removeprefix("params.split_"): run[k] for k in runs if k.startswith("params.split_")})

# %% [markdown]
# ## Metrics on the test period
# ROC AUC ranks cases; Brier, log loss and ECE judge the probabilities (grades have none).
# `high_*` columns are at the operating point that flags as many cases as the statutory grade
# 'high'; the negative prediction rate is the share of *unflagged* cases that go on to harm.

# %%
local = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="report", dst_path=str(out_dir)))
metrics = json.loads((local / "metrics.json").read_text())
table = pd.DataFrame(metrics).T
columns = [c for c in ("roc_auc", "auc_ci_low", "auc_ci_high", "auc_minus_dash", "auc_diff_ci_low",
                       "auc_diff_ci_high", "pr_auc", "brier", "ece", "high_sensitivity",
                       "high_negative_prediction_rate", "headroom_captured") if c in table]
table = table[columns].sort_values("roc_auc", ascending=False)
table.to_csv(out_dir / "metrics_table.csv")
print(table.round(4).to_string())

# %% [markdown]
# ## How much better than DASH?
# The paired bootstrap interval on AUC(model) - AUC(DASH count) says whether the gain is more
# than resampling noise.

# %%
m = metrics["model"]
print(f"model AUC {m['roc_auc']:.3f} ({m['auc_ci_low']:.3f}-{m['auc_ci_high']:.3f})")
print(f"DASH count AUC {metrics['dash_count']['roc_auc']:.3f}")
print(f"gain {m['auc_minus_dash']:+.3f} ({m['auc_diff_ci_low']:+.3f} to {m['auc_diff_ci_high']:+.3f})")
if "headroom_captured" in m:
    print(f"headroom captured vs the oracle: {m['headroom_captured']:.2f}")

# %% [markdown]
# ## ROC, precision-recall and calibration
# The figures were drawn by the training run; here they are shown side by side and saved.

# %%
fig, axes = plt.subplots(1, 2, figsize=(16, 6))
for ax, name in zip(axes, ("roc_pr.png", "calibration.png"), strict=True):
    ax.imshow(mpimg.imread(local / name))
    ax.set_axis_off()
    ax.set_title(name)
fig.savefig(out_dir / "model_vs_dash.png", dpi=80)
plt.close(fig)
print("saved", out_dir / "model_vs_dash.png")

# %% [markdown]
# ## Capacity: AUC against explanation cost
# Every capacity was early-stopped; the chosen one is the cheapest (TreeSHAP cost, leaves x
# depth^2 summed over trees) within the tolerance of the best calibration-period AUC.

# %%
curve = pd.read_csv(local / "capacity_curve.csv")
print(curve.round(4).to_string(index=False))
print("rule:", run.get("params.capacity_rule", "n/a"))
print("alias decision:", run["tags.alias_decision"], "-", run.get("tags.alias_reason", ""))

# %% [markdown]
# ## Reading the result
# - The model is advisory: it may raise a case for review, never lower a statutory grade.
# - SHAP reasons are in log-odds of the uncalibrated score (see the model card).
# - On synthetic data these numbers only show the pipeline works; they are not evidence about
#   real cases.
