import os
import subprocess
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "model_vs_dash.py"


def test_model_vs_dash_notebook_runs(two_runs, mlflow_store, tmp_path):
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": f"sqlite:///{mlflow_store / 'mlflow.db'}",
        "MPLBACKEND": "Agg",
        "NOTEBOOK_OUT": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, str(NOTEBOOK)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "dash_count" in proc.stdout
    assert "shap_cost" in proc.stdout and "alias decision: challenger" in proc.stdout
    assert (tmp_path / "model_vs_dash.png").exists()
    assert (tmp_path / "metrics_table.csv").exists()
