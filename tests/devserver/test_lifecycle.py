"""Starting, reloading and stopping the dev server as a developer does; `make invoke` and the demo board."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.support import ROOT
from tests.support.dev_server import AS_A_TERMINAL_STARTS_IT, READY, DevServerProcess, curl_status


def port_is_free(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as probe:
        try:
            probe.bind((parts.hostname or "127.0.0.1", parts.port or 0))
        except OSError:
            return False
        return True


def group_members(pgid: int) -> list[str]:
    """PIDs still in a process group (the dev server, its workers, and anything else it started)."""
    ps = shutil.which("ps") or "ps"
    result = subprocess.run([ps, "-o", "pid=", "-g", str(pgid)], capture_output=True, text=True, check=False)
    return result.stdout.split()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_stopping_releases_the_port_and_every_child_process(
    sample_app: Path, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    # Given a running server whose functions have started workers, started as `make dev` starts it
    with (tmp_path / "log").open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", "--template", str(sample_app / "template.yaml"), log=log, warm=True)
        assert requests.get(server.url + "/echo/warm", timeout=30).status_code == 200
        assert requests.get(server.url + "/context", timeout=30).status_code == 200
        pgid = server.process.pid
        assert len(group_members(pgid)) >= 3  # the server and at least two workers
        # When it is stopped as Ctrl-C or a supervisor would
        assert server.stop(stop_signal) == 0
    # Then nothing it started is left, and its port is free again
    deadline = time.monotonic() + 10
    while group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert group_members(pgid) == []
    assert port_is_free(server.url)


def test_ctrl_c_stops_everything_at_once_without_a_traceback(sample_app: Path, tmp_path: Path) -> None:
    # Given a server started as a terminal starts it, in a process group of its own, whose functions have started
    # workers, one of them busy in an invocation that would run for seconds more
    app = tmp_path / "app"
    shutil.copytree(sample_app, app)
    template = app / "template.yaml"
    slow = "Handler: app.slow\n      Timeout: 1\n"
    assert slow in template.read_text(encoding="utf-8")
    template.write_text(template.read_text(encoding="utf-8").replace(slow, slow.replace("1", "30")), encoding="utf-8")
    arguments = ["-m", "devserver", "--port", "0", "--no-reload", "--template", str(template)]
    log_path = tmp_path / "log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", AS_A_TERMINAL_STARTS_IT, *arguments],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
        )
        assert process.stdout is not None
        url = next(ready["url"] for line in process.stdout if (ready := READY.search(line)) is not None)
        threading.Thread(target=process.stdout.read, daemon=True).start()  # the rest of the banner
        assert requests.get(url + "/echo/warm", timeout=30).status_code == 200
        busy: list[int] = []
        in_flight = threading.Thread(target=lambda: busy.append(requests.get(url + "/slow", timeout=30).status_code))
        in_flight.start()
        pgid = process.pid
        deadline = time.monotonic() + 30
        while "slow: started" not in log_path.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.1)  # until the slow worker is in its handler (its import done, however busy the machine)
        # When Ctrl-C reaches the whole process group, as a terminal sends it
        os.killpg(pgid, signal.SIGINT)
        assert process.wait(timeout=20) == 0
        in_flight.join(timeout=10)
    # Then no process printed a traceback
    output = log_path.read_text(encoding="utf-8")
    assert "Traceback" not in output
    assert "KeyboardInterrupt" not in output
    # And nothing it started is left, not even the busy worker, whose request was answered as its environment ended
    assert group_members(pgid) == []
    assert busy == [502]


def test_code_changes_reload_the_functions(sample_app: Path, tmp_path: Path) -> None:
    with (tmp_path / "log").open("w", encoding="utf-8") as log:
        server = DevServerProcess("--template", str(sample_app / "template.yaml"), log=log)
        try:
            assert requests.get(server.url + "/echo/v", timeout=30).headers["X-Version"] == "v1"
            source = sample_app / "src" / "app.py"
            source.write_text(source.read_text(encoding="utf-8").replace('VERSION = "v1"', 'VERSION = "v2"'))
            deadline = time.monotonic() + 20
            version = "v1"
            while version == "v1" and time.monotonic() < deadline:
                time.sleep(0.3)
                version = requests.get(server.url + "/echo/v", timeout=30).headers["X-Version"]
            assert version == "v2"
        finally:
            source.write_text(source.read_text(encoding="utf-8").replace('VERSION = "v2"', 'VERSION = "v1"'))
            server.stop()


def test_the_banner_gives_a_curl_that_works_and_seed_loads_a_demo_board(tmp_path: Path) -> None:
    with (tmp_path / "log").open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", "--seed", log=log)
        try:
            page = requests.get(server.url + "/demo", params={"startRank": "0", "endRank": "100"}, timeout=30)
            entries = page.json()["leaderboard"]
            assert len(entries) == 100
            assert [e["rank"] for e in entries] == list(range(100))
            assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(entries))
            standing = requests.get(server.url + "/demo/" + entries[50]["name"], timeout=30).json()
            assert standing == {"score": entries[50]["score"], "rank": 50}
        finally:
            server.stop()


def test_the_banner_curl_example_is_accepted(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "devserver", "--port", "0", "--no-reload"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = []
        for line in process.stdout:
            banner.append(line)
            if line.startswith("Ready."):
                break
        curl = next(line.strip() for line in banner if line.strip().startswith("curl -i -X POST"))
        assert curl_status(curl) == 202
    finally:
        process.terminate()
        process.wait(timeout=20)


def invoke(function: str, event_file: str) -> subprocess.CompletedProcess[str]:
    """What `make invoke FN=... EVENT=...` runs."""
    return subprocess.run(
        [sys.executable, "-m", "devserver.invoke", function, event_file],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_make_invoke_equivalent_prints_the_functions_response() -> None:
    result = invoke("SubmitScoreFunction", "events/submit-score.json")
    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout)
    assert response["statusCode"] == 202
    assert json.loads(response["body"]) == {"leaderboard": "weekly", "name": "v", "score": 2077, "scoreOnBoard": 2077}


def test_invoking_an_unknown_function_lists_the_known_ones() -> None:
    result = invoke("NoSuchFunction", "events/submit-score.json")
    assert result.returncode == 2
    assert "SubmitScoreFunction" in result.stderr


def test_a_port_in_use_is_named_with_the_way_out() -> None:
    # Given a port something else already listens on
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # When the dev server is asked for it
        result = subprocess.run(
            [sys.executable, "-m", "devserver", "--port", str(port), "--no-reload"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    # Then it says so in one line, with the option that picks another, and exits non-zero without a traceback
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "make dev PORT=" in result.stderr
    assert "Traceback" not in result.stderr
