"""`make dev`'s emulation of API Gateway's throttling (devserver/throttling.py): a token bucket per MethodSettings
entry, the most specific entry for a route applying, on a clock the test moves."""

from __future__ import annotations

from devserver.throttling import Throttles, ThrottleSpec, encode_path, throttle_specs
from tests.support.fakes import Clock


def test_a_bucket_lets_its_burst_through_then_its_rate() -> None:
    clock = Clock()
    throttles = Throttles([ThrottleSpec("/*", "*", rate=2, burst=3)], clock)
    assert [throttles.admit("/{leaderboard}", "GET") for _ in range(4)] == [True, True, True, False]
    clock.advance(0.5)  # one token back at 2 a second
    assert [throttles.admit("/{leaderboard}", "GET") for _ in range(2)] == [True, False]
    clock.advance(10)  # never more than the burst
    assert sum(throttles.admit("/{leaderboard}", "POST") for _ in range(5)) == 3


def test_a_methods_own_setting_replaces_the_stages_and_has_its_own_bucket() -> None:
    clock = Clock()
    throttles = Throttles(
        [ThrottleSpec("/*", "*", rate=1, burst=2), ThrottleSpec(encode_path("/{leaderboard}"), "GET", rate=1, burst=1)],
        clock,
    )
    assert [throttles.admit("/{leaderboard}", "GET") for _ in range(2)] == [True, False]
    # The stage's bucket is untouched by those reads: writes still have its burst.
    assert [throttles.admit("/{leaderboard}/{name}", "POST") for _ in range(3)] == [True, True, False]


def test_no_setting_no_throttle_and_paths_are_escaped_as_the_template_writes_them() -> None:
    assert all(Throttles([]).admit("/x", "GET") for _ in range(1000))
    assert encode_path("/{leaderboard}/{name}/around") == "/~1{leaderboard}~1{name}~1around"
    assert throttle_specs(
        [
            {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": "200", "ThrottlingBurstLimit": "400"},
            {"ResourcePath": "/~1{leaderboard}", "HttpMethod": "get", "MetricsEnabled": True},  # no throttle
        ]
    ) == (ThrottleSpec("/*", "*", 200.0, 400),)
