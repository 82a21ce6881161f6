"""The production command (gunicorn, several workers) starts and serves the app."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import VALID


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow  # migrates a database and starts gunicorn with two workers
@pytest.mark.parametrize("options", [[], ["--preload"]], ids=["each worker builds the app", "preload (README)"])
def test_gunicorn_serves_the_app_with_several_workers(tmp_path, options):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        gunicorn = shutil.which("gunicorn")
    port = free_port()
    env = {**os.environ, "ELEARN_CONTENT_DIR": str(VALID), "ELEARN_INSTANCE_PATH": str(tmp_path / "inst"),
           "ELEARN_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"}
    env.pop("ELEARN_TEST_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "elearn", "db", "upgrade"], env=env, check=True, capture_output=True)
    process = subprocess.Popen([str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
                                *options, "elearn.wsgi:app"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # Building the app takes seconds, and a minute on a busy machine.
        assert b'"status":"ok"' in wait_for(f"http://127.0.0.1:{port}/healthz", 120).replace(b" ", b"")
        page = wait_for(f"http://127.0.0.1:{port}/ar/").decode()
        assert '<html lang="ar" dir="rtl">' in page
    finally:
        process.terminate()
        output = process.communicate(timeout=60)[0].decode()
    assert output.count("Booting worker") >= 2, output
