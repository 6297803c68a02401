"""The functions' clock in a local stack started at another instant (`make dev NOW=...`): the system's, moved by
LOCAL_CLOCK_OFFSET_SECONDS, read once at the cold start; unset, the system's own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from shared.composition import clock_of
from shared.domain.clock import SYSTEM_CLOCK, OffsetClock
from shared.platform.config import CLOCK_OFFSET_VARIABLE, ConfigurationError, settings


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """What a function's cold start reads, without the offset."""
    monkeypatch.setenv("MOMENTO_API_KEY_PARAM_NAME", "/leaderboard-api/test/momento-api-key")
    monkeypatch.setenv("MOMENTO_CACHE_NAME", "leaderboard")
    monkeypatch.setenv("LEADERBOARD_TABLE_NAME", "leaderboard-api-test")
    monkeypatch.delenv(CLOCK_OFFSET_VARIABLE, raising=False)
    settings.cache_clear()
    yield monkeypatch
    settings.cache_clear()


def test_without_the_variable_the_functions_read_the_systems_clock(environment: pytest.MonkeyPatch) -> None:
    assert settings().clock_offset == timedelta(0)
    assert clock_of(settings()) is SYSTEM_CLOCK


@pytest.mark.parametrize(("raw", "seconds"), [("3600", 3600.0), ("-691200.25", -691200.25), (" 0 ", 0.0)])
def test_the_offset_moves_the_functions_clock(environment: pytest.MonkeyPatch, raw: str, seconds: float) -> None:
    # Given the offset make dev NOW=... hands the functions
    environment.setenv(CLOCK_OFFSET_VARIABLE, raw)
    # When a function's cold start reads its settings, Then its domain reads the system's time moved by it
    assert settings().clock_offset == timedelta(seconds=seconds)
    clock = clock_of(settings())
    assert clock.now() == pytest.approx(time.time() + seconds, abs=0.5)


@pytest.mark.parametrize("raw", ["next week", "nan", "inf", "1e12", "2026-11-29T23:59:30+01:00"])
def test_a_malformed_offset_fails_the_cold_start_naming_the_variable(environment: pytest.MonkeyPatch, raw: str) -> None:
    environment.setenv(CLOCK_OFFSET_VARIABLE, raw)
    with pytest.raises(ConfigurationError, match=f"{CLOCK_OFFSET_VARIABLE} must be a number of seconds"):
        settings()


def test_the_offset_clock_runs_at_the_systems_rate_and_waits_really() -> None:
    clock = OffsetClock(-86_400.0)
    first = clock.now()
    clock.sleep(0.05)
    assert 0.05 <= clock.now() - first < 1.0
    assert first == pytest.approx(time.time() - 86_400.0, abs=0.5)
