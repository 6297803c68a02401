"""A server started with a clock offset (`make dev NOW=...`) runs its TTLs by the stack's clock: an item expires when
the stack's clock, the one the functions read, says its TTL has run out."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from momento import CacheClient
from momento.responses import CacheGet

from momento_local import MomentoLocalServer
from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE
from momento_local.tests.conftest import make_client
from momento_local.tests.test_cli import ROOT

# The stack's clock a week behind the system's, as after `make dev NOW=<a week ago>`.
OFFSET_S = -7 * 86_400.0


def stack_now() -> float:
    """What a function of the same stack reads: the system's time moved by the offset (shared/domain/clock.py)."""
    return time.time() + OFFSET_S


@pytest.fixture(scope="module")
def travelled() -> Iterator[MomentoLocalServer]:
    with MomentoLocalServer(port=0, caches=[CACHE], clock_offset_s=OFFSET_S) as server:
        yield server


@pytest.fixture(scope="module")
def travelled_client(travelled: MomentoLocalServer) -> Iterator[CacheClient]:
    with make_client(travelled) as cache_client:
        yield cache_client


def test_the_servers_clock_is_the_stacks(travelled: MomentoLocalServer) -> None:
    assert travelled.store.clock() == pytest.approx(stack_now(), abs=0.5)


def test_an_item_expires_at_the_instant_the_stacks_clock_says(travelled_client: CacheClient) -> None:
    client = travelled_client
    # Given a scalar whose TTL ends at an instant of the stack's clock: the next whole second after the next one
    expires_at = math.floor(stack_now()) + 2.0
    client.set(CACHE, "reset", "pending", timedelta(seconds=expires_at - stack_now()))
    assert isinstance(client.get(CACHE, "reset"), CacheGet.Hit)
    # When the item is gone, Then the stack's clock has reached that instant, and not before
    deadline = time.monotonic() + 30
    while isinstance(client.get(CACHE, "reset"), CacheGet.Hit):
        assert time.monotonic() < deadline, "the item never expired"
        time.sleep(0.02)
    assert stack_now() >= expires_at


def test_the_command_line_takes_the_offset_and_says_the_clock() -> None:
    # Given `python -m momento_local --clock-offset` with a week's offset, When it starts
    process = subprocess.Popen(
        [sys.executable, "-m", "momento_local", "--port", "0", "--clock-offset", str(OFFSET_S)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "listening on" in process.stdout.readline()
        clock_line = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=30)
    # Then it prints the stack's date, a week before the system's
    week_ago = datetime.fromtimestamp(stack_now(), UTC).date().isoformat()
    assert clock_line.startswith(f"momento-local clock: {week_ago}"), clock_line
    assert "-604800 s from the system's" in clock_line


def test_a_malformed_offset_is_refused_at_once() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "momento_local", "--clock-offset", "next week"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "--clock-offset: a number of seconds" in result.stderr
