"""The server under test for ``bench_hardening``: a tiny registered model, ``secondlook serve``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from serving.db.session import make_engine
from serving.security import create_key


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(work: Path) -> dict[str, str]:
    """Register a tiny model in a fresh MLflow store under ``work``; return the server's env."""
    from tests.serving.cohort import random_tables
    from tests.serving.model_factory import MODEL_NAME, register_by_hand, tiny_scorer

    uri = f"sqlite:///{work / 'mlflow.db'}"
    here = Path.cwd()
    os.chdir(work)  # MLflow puts the model's artifacts under ./mlruns: keep them in ``work``
    try:
        register_by_hand(uri, tiny_scorer(random_tables(n_victims=300, seed=0)))
    finally:
        os.chdir(here)
    return {
        **os.environ,
        "MLFLOW_TRACKING_URI": uri,
        "SECONDLOOK_MODEL_NAME": MODEL_NAME,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }


@dataclass
class Server:
    """A server process on 127.0.0.1 (its pid and port) and the database it audits into."""

    process: subprocess.Popen[bytes]
    port: int
    database_url: str = ""

    @property
    def pid(self) -> int:
        """Return the server's process id."""
        return self.process.pid

    def key(self, role: str) -> str:
        """Create an API key for ``role`` in the server's database; return the token."""
        engine = make_engine(self.database_url)
        try:
            return create_key(engine, role)[1]
        finally:
            engine.dispose()

    def kill(self) -> None:
        """Kill the server with SIGKILL (no shutdown, no flush)."""
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait()

    @classmethod
    @contextmanager
    def start(
        cls, cmd: list[str], port: int, env: dict[str, str], url: str = ""
    ) -> Iterator[Server]:
        """Start ``cmd``, wait until /healthz answers (at most 120 s), stop it afterwards.

        The server's output goes to ``$TMPDIR/bench-hardening-<port>.log``.
        """
        log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-hardening-{port}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = cls(process, port, url)
        try:
            _wait_healthy(port, process)
            yield server
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()

    @classmethod
    @contextmanager
    def serve(cls, env: dict[str, str], database_url: str) -> Iterator[Server]:
        """Run ``secondlook serve`` on a free port, auditing into ``database_url``."""
        port = free_port()
        cmd = [sys.executable, "-m", "secondlook_cli.main", "serve", "--port", str(port)]
        with cls.start(cmd, port, {**env, "DATABASE_URL": database_url}, database_url) as server:
            yield server


def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("server did not become healthy in 120 s")
