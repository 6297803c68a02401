"""The functions' settings for tests that build the stores or the domain themselves: the defaults a local run uses,
with the few a test cares about given by name (`settings_for_tests(table_name=..., board_retention=...)`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from shared.platform.config import Settings

DEFAULTS = Settings(
    api_key_parameter="/leaderboard-api/test/momento-api-key",
    cache_name="leaderboard",
    leaderboard_ttl=timedelta(days=1),
    momento_endpoint=None,
    momento_local_address=None,
    cors_allow_origin="*",
    api_key_cache=timedelta(minutes=5),
    api_key_grace=timedelta(minutes=15),
    table_name="leaderboard-api-test",
    board_retention=None,
    rebuild_elements_per_second=0,
)


def settings_for_tests(**given: Any) -> Settings:
    return replace(DEFAULTS, **given)
