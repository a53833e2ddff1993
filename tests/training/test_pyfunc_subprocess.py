import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from mlflow.tracking import MlflowClient

from features.model_format.scoring import CalibratedScorer, ScoringSpec

_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import mlflow.pyfunc
    import pandas as pd
    model = mlflow.pyfunc.load_model(sys.argv[1])
    rows = pd.read_json(sys.argv[2], orient="split").astype("float64")
    out = model.predict(rows)
    print(json.dumps({
        "training_loaded": any(m == "training" or m.startswith("training.") for m in sys.modules),
        "probability": out["probability"].tolist(),
        "band": out["band"].tolist(),
        "raw": out["raw_score"].tolist(),
    }))
    """
)


def test_registered_champion_loads_without_training_and_matches_scorer(two_runs, tmp_path):
    first, _, _ = two_runs
    client = MlflowClient()
    local = client.download_artifacts(first.run_id, "report/model", str(tmp_path))
    booster = lgb.Booster(model_file=os.path.join(local, "booster.txt"))
    spec = ScoringSpec.from_json(Path(local, "scoring.json").read_text())
    scorer = CalibratedScorer(booster, spec)
    rng = np.random.default_rng(0)
    rows = pd.DataFrame(
        rng.integers(0, 4, size=(40, len(spec.feature_names))).astype(float),
        columns=list(spec.feature_names),
    )
    rows.iloc[::5, 3] = np.nan
    path = tmp_path / "rows.json"
    rows.to_json(path, orient="split")
    uri = f"models:/{first.model_name}@champion"
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, uri, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ},
        cwd=tmp_path,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["training_loaded"] is False
    expected = scorer.score(rows.to_numpy(dtype=np.float64), explain=False)
    np.testing.assert_allclose(got["probability"], expected.probability, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["raw"], expected.raw, rtol=0, atol=1e-12)
    assert got["band"] == expected.band.tolist()
