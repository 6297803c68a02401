"""What the shared suite's tests are given: the index under test with its key, clock and store controls; and the
configuration the real stores are made with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from shared.domain.ports import Index
from shared.domain.scope import Scope
from shared.platform.config import Settings
from shared.platform.secret import Secret
from tests.support.fakes import Clock
from tests.support.settings import settings_for_tests

CACHE = "leaderboard"
KEY = "store-suite-key"
TTL_S = 3600  # the index's TTL in this suite


def settings(*, table_name: str = "", momento_local_address: str | None = None) -> Settings:
    return settings_for_tests(
        cache_name=CACHE,
        leaderboard_ttl=timedelta(seconds=TTL_S),
        momento_local_address=momento_local_address,
        table_name=table_name,
        # momento-local runs in this interpreter: a busy machine can take longer than the SDK's 1.1 s.
        momento_timeout=timedelta(seconds=2),
    )


@dataclass
class IndexUnderTest:
    """An index, the key it is called with, and what a test does to its store besides the port."""

    index: Index
    key: Secret
    clock: Clock
    lose: Callable[[Scope], None]  # the set is gone, as after an eviction
    limit_set_bytes: Callable[[int], None]  # a set's size cap, as Momento's item size limit
