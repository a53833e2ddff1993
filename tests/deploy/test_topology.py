"""The production topology as real processes: PostgreSQL, MLflow server, Dask, two API instances."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "topology.py"


@pytest.mark.slow
@pytest.mark.postgres
def test_two_instances_share_scores_reviews_and_a_promotion(tmp_path: Path) -> None:
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("TEST_DATABASE_URL is not set: no local PostgreSQL to run the topology on")
    command = [sys.executable, str(SCRIPT), "check", "--workdir", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    seen = json.loads(done.stdout[done.stdout.index("{") :])
    first, second = seen["scored_by_both"]
    assert first == second
    assert seen["review_seen_through_other_instance"] is True
    after = seen["after_promotion"]
    assert after[0] == after[1] and int(after[0]) > int(first)
