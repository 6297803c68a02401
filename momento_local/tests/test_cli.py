"""`python -m momento_local` as a developer runs it: prints its address, serves the SDK, stops cleanly on signals."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from momento import CacheClient, Configurations, CredentialProvider
from momento.responses import CacheSortedSetFetch, CacheSortedSetPutElement

ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"momento-local listening on (?P<host>[\d.]+):(?P<port>\d+) \(caches: (?P<caches>.*)\)")


def start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "momento_local", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str, int]]:
    process = start("--port", "0", "--cache", "leaderboard", "--cache", "other")
    assert process.stdout is not None
    line = process.stdout.readline()
    ready = READY.search(line)
    assert ready, f"no ready line, got {line!r}"
    assert ready["caches"] == "leaderboard, other"
    yield process, ready["host"], int(ready["port"])
    if process.poll() is None:
        process.kill()
        process.wait()


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serves_the_sdk_then_stops_cleanly(
    served: tuple[subprocess.Popen[str], str, int], stop_signal: signal.Signals
) -> None:
    process, host, port = served
    credentials = CredentialProvider.for_momento_local(host, port)
    with CacheClient.create(Configurations.Laptop.latest(), credentials, timedelta(minutes=1)) as client:
        put = client.sorted_set_put_element("leaderboard", "board", "ann", 1.0)
        assert isinstance(put, CacheSortedSetPutElement.Success)
        fetched = client.sorted_set_fetch_by_rank("other", "board")
        assert isinstance(fetched, CacheSortedSetFetch.Miss)  # the second --cache exists too
    process.send_signal(stop_signal)
    assert process.wait(timeout=10) == 0
    assert process.stdout is not None
    assert "momento-local stopped" in process.stdout.read()
    assert port_is_free(host, port)


def test_a_taken_port_is_a_clear_error(served: tuple[subprocess.Popen[str], str, int]) -> None:
    _, host, port = served
    clash = start("--host", host, "--port", str(port))
    _, stderr = clash.communicate(timeout=20)
    assert clash.returncode == 1
    assert f"cannot listen on {host}:{port}" in stderr


def test_tokens_and_size_cap_options(tmp_path: Path) -> None:
    process = start("--port", "0", "--cache", "c", "--token", "secret", "--max-item-size-bytes", "64")
    try:
        assert process.stdout is not None
        ready = READY.search(process.stdout.readline())
        assert ready
        host, port = ready["host"], int(ready["port"])
        local = CredentialProvider.for_momento_local(host, port)
        keyed = CredentialProvider("secret", host, host, host, port)
        config = Configurations.Laptop.latest()
        with CacheClient.create(config, local, timedelta(minutes=1)) as anonymous:
            refused = anonymous.sorted_set_put_element("c", "board", "ann", 1.0)
            assert isinstance(refused, CacheSortedSetPutElement.Error)
        with CacheClient.create(config, keyed, timedelta(minutes=1)) as client:
            assert isinstance(client.sorted_set_put_element("c", "board", "ann", 1.0), CacheSortedSetPutElement.Success)
            too_big = client.sorted_set_put_element("c", "board", "x" * 100, 1.0)
            assert isinstance(too_big, CacheSortedSetPutElement.Error)
    finally:
        process.terminate()
        process.wait(timeout=10)
