import subprocess
import sys

from training.settings import TrainingSettings, get_settings


def test_env_overrides_tracking_uri(monkeypatch, tmp_path):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///elsewhere.db")
    assert TrainingSettings().resolved_tracking_uri() == "sqlite:///elsewhere.db"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    local = TrainingSettings(mlruns_dir=tmp_path / "mlruns")
    assert local.resolved_tracking_uri() == f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}"
    assert local.artifact_root() == (tmp_path / "mlruns" / "artifacts").as_uri()


def test_remote_server_chooses_its_own_artifact_root():
    assert TrainingSettings(tracking_uri="http://mlflow:5000").artifact_root() is None


def test_get_settings_is_cached():
    assert get_settings() is get_settings()


def test_importing_training_does_no_work(tmp_path):
    code = (
        "import training.pipeline, training.report, training.settings, mlflow; "
        "print(mlflow.get_tracking_uri())"
    )
    env = {"PATH": "", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert list(tmp_path.iterdir()) == [] or all(p.name.startswith(".") for p in tmp_path.iterdir())
