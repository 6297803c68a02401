"""`make sam-local` stopped as a developer stops it: Ctrl-C in its terminal, which reaches its whole process group.

It runs SAM CLI in containers (about a minute; more the first time, when the image is built), so it runs with
SAM_LOCAL=1 only, as `make sam-test`'s runs do; where no container engine can run, it is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from devserver.container_engine import docker_answers
from tests.support import ROOT
from tests.support.dev_server import AS_A_TERMINAL_STARTS_IT
from tests.support.sam_local import wait_until_answering

# What SAM CLI, or a function's runtime in a container SAM CLI is removing, printed on a stop before it was quiet.
STOP_NOISE = ("Traceback", "Exception ignored", "LAMBDA_RUNTIME", "Error:")

pytestmark = pytest.mark.skipif(
    os.environ.get("SAM_LOCAL") != "1", reason="runs sam local in containers: SAM_LOCAL=1 (as make sam-test)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def containers(engine: str) -> set[str]:
    """Every container the engine has, running or not."""
    listed = subprocess.run([engine, "ps", "-aq", "--no-trunc"], capture_output=True, text=True, check=True)
    return set(listed.stdout.split())


def children(pid: int) -> list[int]:
    ps = shutil.which("ps") or "ps"
    listed = subprocess.run([ps, "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return [int(child) for child in listed.stdout.split()]


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_stops_sam_local_without_a_traceback_and_leaves_nothing_running(tmp_path: Path) -> None:
    # Given sam local started as a terminal starts it, in a process group of its own
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "sam-local.log"
    command = ["-m", "devserver.sam_local", "--work-dir", str(tmp_path / "work"), "start-api", "--port", str(port)]
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", AS_A_TERMINAL_STARTS_IT, *command],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_answering(process, url, log_path)
            # And warm containers for two functions, one of which answered a 404
            engine = "docker" if docker_answers() else "podman"
            before = containers(engine)
            assert requests.get(f"{url}/weekly", timeout=60).status_code == 200
            assert requests.get(f"{url}/weekly/nobody", timeout=60).status_code == 404
            ours = containers(engine) - before
            assert ours
            helpers = children(process.pid)  # SAM CLI and, under podman, the engine's API
            stopped_at = log_path.stat().st_size
            # When Ctrl-C reaches the whole process group
            os.killpg(process.pid, signal.SIGINT)
            assert process.wait(timeout=120) == 0
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    # Then it stopped quietly
    with log_path.open(encoding="utf-8") as printed:
        printed.seek(stopped_at)
        after = printed.read()
    assert not [noise for noise in STOP_NOISE if noise in after], after
    # And nothing it started is left: no process, no container
    assert [pid for pid in helpers if running(pid)] == []
    assert ours & containers(engine) == set()
