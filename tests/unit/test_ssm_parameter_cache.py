"""The Momento key's cache over SSM (CachedParameter): fresh answers from memory, an expired one fetched again, a
failed refresh served from the cache for the grace period with a warning, and past it (or with nothing cached, or
when the store rejected the key and a fresh one is forced) KeyUnavailable, the 503 a retry may clear."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain.errors import KeyUnavailable
from shared.http.middlewares.ssm_parameters import CachedParameter, ssm_parameter
from shared.http.middy import Request, Slot
from shared.platform.secret import Secret

NAME = "/leaderboard-api/unit/momento-api-key"
EXPIRY = timedelta(seconds=300)
GRACE = timedelta(seconds=900)


class Source:
    def __init__(self) -> None:
        self.value = "key-1"
        self.fetches: list[tuple[int, bool]] = []
        self.down = False

    def get(self, name: str, *, max_age: int, force_fetch: bool) -> str:
        assert name == NAME
        self.fetches.append((max_age, force_fetch))
        if self.down:
            raise TimeoutError("SSM did not answer")
        return self.value


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def source() -> Source:
    return Source()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def parameter(source: Source, clock: Clock) -> CachedParameter:
    return CachedParameter(NAME, source, EXPIRY, GRACE, clock=clock)


def test_a_fresh_value_is_served_from_memory_and_an_expired_one_fetched_again(
    parameter: CachedParameter, source: Source, clock: Clock
) -> None:
    assert parameter.get() == "key-1"
    clock.now = 299
    source.value = "key-2"
    assert parameter.get() == "key-1"
    assert source.fetches == [(300, False)]
    clock.now = 300
    assert parameter.get() == "key-2"
    assert source.fetches == [(300, False), (300, False)]


def test_a_failed_refresh_serves_the_cached_value_within_the_grace_period_then_fails(
    parameter: CachedParameter, source: Source, clock: Clock
) -> None:
    parameter.get()
    source.down = True
    clock.now = 300 + 899
    assert parameter.get() == "key-1"  # stale, with a warning in the logs
    clock.now = 300 + 900
    with pytest.raises(KeyUnavailable, match=NAME):
        parameter.get()
    source.down = False
    source.value = "key-2"
    assert parameter.get() == "key-2"  # SSM back: the next request recovers


def test_with_nothing_cached_a_failure_is_key_unavailable(parameter: CachedParameter, source: Source) -> None:
    source.down = True
    with pytest.raises(KeyUnavailable) as raised:
        parameter.get()
    assert isinstance(raised.value.__cause__, TimeoutError)


def test_a_rejected_key_forces_a_fetch_and_a_forced_fetch_that_fails_is_never_served_stale(
    parameter: CachedParameter, source: Source
) -> None:
    secret = parameter.secret()
    assert secret.reveal() == "key-1"
    source.value = "key-2"  # rotated: Momento rejects key-1
    assert secret.refresh().reveal() == "key-2"
    assert source.fetches[-1] == (300, True)
    source.down = True
    with pytest.raises(KeyUnavailable):
        secret.refresh()
    assert parameter.get() == "key-2"  # an ordinary read still has the fresh value


def test_the_middleware_puts_the_key_in_its_slot_and_never_shows_it(source: Source) -> None:
    into: Slot[Secret] = Slot("momento_api_key")
    hooks = ssm_parameter(CachedParameter(NAME, source, EXPIRY, GRACE), into)
    assert hooks.before is not None
    request = Request(event={}, context=None)
    assert hooks.before(request) is None
    key = into.take(request)
    assert key.reveal() == "key-1"
    assert "key-1" not in repr(key)
    assert "key-1" not in str(key)
