"""How the API answers when Momento or SSM fails: statuses, Retry-After, key rotation, and nothing leaked."""

from __future__ import annotations

import time

import pytest

from tests.support.api_client import InProcessClient, assert_error
from tests.support.record import record_of
from tests.support.service import API_KEY, API_KEY_PARAMETER, CACHE, Service


@pytest.fixture
def api(service: Service) -> InProcessClient:
    return InProcessClient(service)


def test_momento_unavailable_is_503_with_retry_after_after_the_sdks_retries(
    service: Service, api: InProcessClient
) -> None:
    service.momento.faults.set(return_error="unavailable")
    started = time.monotonic()
    response = api.submit("weekly", "v", {"score": 1})
    assert_error(response, 503, "temporarily unavailable")
    assert response.headers["Retry-After"] == "1"
    assert service.momento.calls("sorted-set-put") == 4  # the Lambda configuration: 1 call + 3 retries
    assert time.monotonic() - started < 5  # well inside the 10 s function timeout


def test_rate_limit_is_429_with_retry_after(service: Service, api: InProcessClient) -> None:
    service.momento.faults.set(return_error="resource-exhausted", error_rpcs=["sorted-set-fetch"])
    response = api.page("weekly")
    assert_error(response, 429, "Too many requests")
    assert response.headers["Retry-After"] == "1"


def started_with_deadline(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, ms: int) -> Service:
    """The functions' cold start with MomentoTimeoutMs set to `ms` (the suite's environment says 2000: see conftest)."""
    request.getfixturevalue("service_environment")
    monkeypatch.setenv("MOMENTO_TIMEOUT_MS", str(ms))
    service: Service = request.getfixturevalue("service")
    return service


def test_a_store_slower_than_its_deadline_is_504_and_the_next_request_succeeds(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = started_with_deadline(request, monkeypatch, 1100)  # the template's default
    api = InProcessClient(service)
    service.modules["handlers.get_standing"]  # started: its init's connecting read is not the one delayed
    service.momento.faults.set(delay_ms=1500, delay_rpcs=["sorted-set-get-score"], delay_count=1)
    started = time.monotonic()
    assert_error(api.standing("weekly", "v"), 504, "did not answer in time")
    assert time.monotonic() - started < 3
    api.submit("weekly", "v", {"score": 5})
    assert api.standing("weekly", "v").json() == {"score": 5, "rank": 0}


def test_a_longer_deadline_waits_for_a_slow_store(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = started_with_deadline(request, monkeypatch, 2000)
    api = InProcessClient(service)
    api.submit("weekly", "v", {"score": 5})
    service.modules["handlers.get_standing"]  # started: its init's connecting read is not the one delayed
    service.momento.faults.set(delay_ms=1500, delay_rpcs=["sorted-set-get-score"], delay_count=1)
    started = time.monotonic()
    assert api.standing("weekly", "v").json() == {"score": 5, "rank": 0}
    assert time.monotonic() - started >= 1.5  # the read itself waited out the delay


def test_a_full_board_is_507_and_stays_readable_and_updatable(service: Service, api: InProcessClient) -> None:
    # Given a board at the item-size cap
    service.momento.store.max_item_size_bytes = 210
    for i in range(10):  # 10 x (7 + 8) B = 150 B, the two marks of a whole set 2 x (6 + 8) B, the settings 9 + 8 B
        assert api.submit("weekly", f"player{i}", {"score": i}).status == 202
    # When a new player would grow it past the cap
    response = api.submit("weekly", "newcomer-with-a-long-name", {"score": 99})
    # Then the client is told the board is full, and nothing else changes
    assert_error(response, 507, "is full")
    assert len(api.page("weekly").json()["leaderboard"]) == 10
    assert "newcomer-with-a-long-name" not in record_of(service, "weekly")  # taken back: record and index agree
    assert api.submit("weekly", "player3", {"score": 1000}).status == 202  # re-scoring does not grow it
    assert api.standing("weekly", "player3").json() == {"score": 1000, "rank": 0}


def test_a_missing_cache_is_a_generic_500_that_shows_no_internals(service: Service, api: InProcessClient) -> None:
    service.momento.store.delete_cache(CACHE)
    response = api.submit("weekly", "v", {"score": 1})
    assert assert_error(response, 500)["message"] == "Internal server error"
    assert "NOT_FOUND" not in response.text
    assert "Momento" not in response.text


def test_unexpected_momento_errors_are_500(service: Service, api: InProcessClient) -> None:
    service.momento.faults.set(return_error="permission-denied")
    assert assert_error(api.standing("weekly", "v"), 500)["message"] == "Internal server error"


def test_ssm_parameter_missing_at_cold_start_is_503(service: Service, api: InProcessClient) -> None:
    service.ssm.delete_parameter(Name=API_KEY_PARAMETER)
    service.cold_start()
    response = api.page("weekly")
    assert_error(response, 503, "configuration")
    assert response.headers["Retry-After"] == "1"


def test_a_rotated_key_is_picked_up_by_the_next_request_while_warm(service: Service, api: InProcessClient) -> None:
    # Given a warm function holding the old key
    assert api.submit("weekly", "v", {"score": 1}).status == 202
    # When the key is rotated in SSM and the old one revoked on Momento
    service.rotate_key("test-momento-key-2")
    # Then the very next request succeeds: Momento's rejection forces one refresh and one retry
    assert api.submit("weekly", "w", {"score": 2}).status == 202
    assert api.standing("weekly", "w").status == 200
    assert len(api.page("weekly").json()["leaderboard"]) == 2


def test_a_revoked_key_with_no_replacement_is_503(service: Service, api: InProcessClient) -> None:
    assert api.submit("weekly", "v", {"score": 1}).status == 202
    service.momento.set_tokens(["some-other-key"])
    assert_error(api.submit("weekly", "v", {"score": 2}), 503)


def test_the_key_never_appears_in_responses(service: Service, api: InProcessClient) -> None:
    service.momento.faults.set(return_error="unauthenticated")
    responses = [
        api.submit("weekly", "v", {"score": 1}),
        api.standing("weekly", "v"),
        api.page("weekly"),
        api.submit("weekly", "v", "{bad", raw=True),
    ]
    for response in responses:
        assert API_KEY not in response.text
        assert API_KEY not in repr(dict(response.headers))


def test_no_request_fails_with_500_while_a_key_rotates(service: Service, api: InProcessClient) -> None:
    statuses: list[int] = []

    def every_route(player: str, score: int) -> None:
        statuses.append(api.submit("weekly", player, {"score": score}).status)
        statuses.append(api.standing("weekly", player).status)
        statuses.append(api.page("weekly").status)

    # Given warm functions holding key 1
    every_route("a", 1)
    # When the new key is put in SSM (key 1 still valid), then both are valid, then key 1 is revoked
    service.ssm.put_parameter(Name=API_KEY_PARAMETER, Value="key-2", Type="SecureString", Overwrite=True)
    every_route("b", 2)
    service.momento.set_tokens([API_KEY, "key-2"])
    every_route("c", 3)
    service.momento.set_tokens(["key-2"])
    for i in range(3):
        every_route(f"d{i}", 4 + i)
    # Then every request of every function succeeded, before, during and after the rotation
    assert set(statuses) == {200, 202}, statuses
    assert len(api.page("weekly").json()["leaderboard"]) == 6
