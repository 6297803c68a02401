"""Durable boards: every accepted score in the record (DynamoDB, through moto's server), the index (momento-local)
rebuilt from it whenever Momento loses a board, and never a partial board served as a whole one."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import pytest

from momento_local.store import Ttl, TtlChange
from tests.support.api_client import InProcessClient, assert_error
from tests.support.lambda_fakes import lambda_context, load_event
from tests.support.record import index_of, record_of
from tests.support.service import CACHE, Service, start_service
from tests.support.switchable_proxy import PROVISIONED_THROUGHPUT_EXCEEDED, SwitchableProxy


@pytest.fixture
def api(service: Service) -> InProcessClient:
    return InProcessClient(service)


def registry_of(service: Service, board: str) -> dict[str, Any] | None:
    key = {"pk": {"S": "boards"}, "sk": {"S": board}}
    answer = service.dynamodb.get_item(TableName=service.table_name, Key=key, ConsistentRead=True)
    return answer.get("Item")


def started_with(
    monkeypatch: pytest.MonkeyPatch, momento_local: Any, ssm: Any, **variables: str
) -> tuple[Service, InProcessClient]:
    """A cold start of the functions with some of their settings changed."""
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    service = start_service(momento_local, ssm)
    return service, InProcessClient(service)


def flush(service: Service) -> None:
    service.momento.store.flush_cache(CACHE)


def fill(api: InProcessClient, board: str, players: int) -> None:
    for i in range(players):
        assert api.submit(board, f"player-{i:03d}", {"score": (i * 37) % 101 + i / 8}).status == 202


def snapshot(api: InProcessClient, board: str, players: list[str]) -> tuple[Any, list[Any]]:
    page = api.page(board, {"startRank": "0", "endRank": "100"})
    assert page.status == 200
    return page.json(), [api.standing(board, p).json() for p in players]


# --- the write path ------------------------------------------------------------------------------------------------


def test_an_accepted_score_is_in_the_record_and_readable_at_once(service: Service, api: InProcessClient) -> None:
    assert api.submit("weekly", "ada", {"score": 12.5}).status == 202
    assert record_of(service, "weekly") == {"ada": 12.5}
    assert api.standing("weekly", "ada").json() == {"score": 12.5, "rank": 0}
    assert api.submit("weekly", "ada", {"score": -3}).status == 202
    assert record_of(service, "weekly") == index_of(service, "weekly") == {"ada": -3}
    registered = registry_of(service, "weekly")
    assert registered is not None
    assert abs(int(registered["lastWrite"]["N"]) - time.time()) < 60


def test_the_record_throttled_is_429_and_nothing_changed_anywhere(
    dynamodb_proxy: SwitchableProxy, service: Service, api: InProcessClient
) -> None:
    assert api.submit("weekly", "ada", {"score": 1}).status == 202
    dynamodb_proxy.answer_with(PROVISIONED_THROUGHPUT_EXCEEDED)
    response = api.submit("weekly", "ada", {"score": 2})
    assert_error(response, 429, "Too many requests")
    assert response.headers["Retry-After"] == "1"
    assert dynamodb_proxy.answered == 3  # boto3's standard retries: 3 attempts in all
    dynamodb_proxy.answer_with(None)
    assert record_of(service, "weekly") == index_of(service, "weekly") == {"ada": 1}


def test_the_record_unreachable_is_503_within_the_function_timeout_and_nothing_changed(
    dynamodb_proxy: SwitchableProxy, service: Service, api: InProcessClient
) -> None:
    assert api.submit("weekly", "ada", {"score": 1}).status == 202
    dynamodb_proxy.up = False
    started = time.monotonic()
    response = api.submit("weekly", "ada", {"score": 2})
    assert_error(response, 503, "temporarily unavailable")
    assert response.headers["Retry-After"] == "1"
    assert time.monotonic() - started < 8  # inside the 10 s function timeout
    dynamodb_proxy.up = True
    assert record_of(service, "weekly") == index_of(service, "weekly") == {"ada": 1}
    assert api.submit("weekly", "ada", {"score": 2}).status == 202


def test_momento_failing_after_the_record_is_503_and_a_retry_converges(service: Service, api: InProcessClient) -> None:
    assert api.submit("weekly", "ada", {"score": 1}).status == 202
    service.momento.faults.set(return_error="unavailable", error_rpcs=["sorted-set-put"])
    response = api.submit("weekly", "ada", {"score": 2})
    assert_error(response, 503, "temporarily unavailable")
    assert response.headers["Retry-After"] == "1"
    assert record_of(service, "weekly") == {"ada": 2}  # durable, not yet indexed
    assert index_of(service, "weekly") == {"ada": 1}
    service.momento.faults.clear()
    assert api.submit("weekly", "ada", {"score": 2}).status == 202  # the same submission again
    assert record_of(service, "weekly") == index_of(service, "weekly") == {"ada": 2}


def test_concurrent_writes_of_one_player_leave_the_index_equal_to_the_record(service: Service) -> None:
    """Threads in one process share the warm handler, so this drives the read-back from every interleaving the
    GIL allows; the dev-server test does the same with real processes."""
    api = InProcessClient(service)
    api.submit("race", "ada", {"score": 0})
    for _ in range(5):
        barrier = threading.Barrier(8)

        def write(score: int, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            assert api.submit("race", "ada", {"score": score}).status == 202

        threads = [threading.Thread(target=write, args=(s,)) for s in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert index_of(service, "race") == record_of(service, "race")


# --- the index: rebuilt from the record, never partial -------------------------------------------------------------


def test_a_flushed_cache_reads_exactly_as_before(service: Service, api: InProcessClient) -> None:
    fill(api, "weekly", 60)
    players = ["player-000", "player-031", "player-059"]
    before = snapshot(api, "weekly", players)
    flush(service)
    assert index_of(service, "weekly") is None
    assert snapshot(api, "weekly", players) == before
    assert index_of(service, "weekly") == record_of(service, "weekly")


def test_a_write_after_a_flush_brings_the_whole_board_back(service: Service, api: InProcessClient) -> None:
    fill(api, "weekly", 30)
    flush(service)
    assert api.submit("weekly", "newcomer", {"score": 1000}).status == 202
    page = api.page("weekly", {"startRank": "0", "endRank": "100"}).json()["leaderboard"]
    assert len(page) == 31
    assert page[0] == {"rank": 0, "name": "newcomer", "score": 1000}
    assert index_of(service, "weekly") == record_of(service, "weekly")


def test_a_board_idle_past_its_momento_ttl_reads_the_same(
    service_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, momento_local: Any, ssm: Any
) -> None:
    service, api = started_with(monkeypatch, momento_local, ssm, LEADERBOARD_TTL_SECONDS="1")
    fill(api, "weekly", 20)
    before = snapshot(api, "weekly", ["player-007"])
    time.sleep(1.2)
    assert index_of(service, "weekly") is None  # expired
    assert snapshot(api, "weekly", ["player-007"]) == before


def test_during_a_slow_restore_the_top_answers_at_once_and_a_read_past_it_answers_503_with_the_progress(
    service_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, momento_local: Any, ssm: Any
) -> None:
    service, api = started_with(
        monkeypatch, momento_local, ssm, REBUILD_ELEMENTS_PER_SECOND="40"
    )  # batches of 80 players at first, 40 a second and faster: 3 s of waiting restores far fewer than 400
    fill(api, "weekly", 400)
    top = api.page("weekly", {"startRank": "0", "endRank": "10"}).json()
    deep = api.page("weekly", {"startRank": "390", "endRank": "400"}).json()
    flush(service)
    assert api.page("weekly", {"startRank": "0", "endRank": "10"}).json() == top  # exact, from the restored top
    response = api.page("weekly", {"startRank": "390", "endRank": "400"})
    assert_error(response, 503, "being restored")
    assert response.headers["Retry-After"] == "1"
    progress = response.json()["restore"]
    assert progress["total"] == 400
    assert 80 <= progress["restored"] < 400
    assert progress["etaSeconds"] > 0
    assert 0 < len(index_of(service, "weekly") or {}) < 400  # partly restored, and not served past that
    answers = [api.page("weekly", {"startRank": "390", "endRank": "400"}) for _ in range(6)]
    assert all(a.status in (200, 503) for a in answers)
    assert answers[-1].status == 200, "the restore resumes where it stopped and finishes"
    assert answers[-1].json() == deep
    assert index_of(service, "weekly") == record_of(service, "weekly")


def test_momento_failing_during_a_restore_serves_nothing_past_its_restored_part_and_the_restore_resumes(
    service_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, momento_local: Any, ssm: Any
) -> None:
    service, api = started_with(monkeypatch, momento_local, ssm, REBUILD_ELEMENTS_PER_SECOND="0")  # 100, then 200
    fill(api, "weekly", 250)
    expected = api.page("weekly", {"startRank": "150", "endRank": "250"}).json()
    # The read waits longer than its restore can take on a busy machine, so what ends it is the failure.
    monkeypatch.setattr(sys.modules["shared.domain.leaderboards"], "WAIT_S", 30.0)
    flush(service)
    # The start mark and the first batch's put go through; the second batch's put fails (after the SDK's retries).
    service.momento.faults.set(return_error="unavailable", error_rpcs=["sorted-set-put"], error_after=2)
    response = api.page("weekly", {"startRank": "150", "endRank": "250"})
    assert_error(response, 503, "temporarily unavailable")
    assert len(index_of(service, "weekly") or {}) == 100  # the first batch, and not served past it
    registered = registry_of(service, "weekly")
    assert registered is not None
    assert registered["rebuildProgress"]["M"]["n"]["N"] == "100"  # where the next restore resumes
    service.momento.faults.clear()
    assert api.page("weekly", {"startRank": "150", "endRank": "250"}).json() == expected
    assert index_of(service, "weekly") == record_of(service, "weekly")


def test_a_lease_left_by_a_crashed_rebuild_expires_and_another_instance_finishes(
    service: Service, api: InProcessClient
) -> None:
    fill(api, "weekly", 40)
    expected = api.page("weekly", {"startRank": "0", "endRank": "100"}).json()
    flush(service)
    crashed_until_ms = int((time.time() + 1.0) * 1000)
    service.dynamodb.update_item(
        TableName=service.table_name,
        Key={"pk": {"S": "boards"}, "sk": {"S": "weekly"}},
        UpdateExpression="SET rebuildOwner = :o, rebuildUntil = :u",
        ExpressionAttributeValues={":o": {"S": "crashed"}, ":u": {"N": str(crashed_until_ms)}},
    )
    started = time.monotonic()
    assert api.page("weekly", {"startRank": "0", "endRank": "100"}).json() == expected
    assert 0.8 < time.monotonic() - started < 3  # waited for the lease, then rebuilt
    registered = registry_of(service, "weekly")
    assert registered is not None
    assert "rebuildOwner" not in registered


def test_a_rebuild_whose_lease_another_took_over_leaves_the_mark_to_it(service: Service, api: InProcessClient) -> None:
    """A rebuild stalled past its lease (its instance frozen, say) may find another rebuilding from an empty set
    when it resumes: it must not mark a set whole that the other is still filling (it renews its lease just
    before its mark, and that renewal fails)."""
    import shared.domain.rebuild  # noqa: PLC0415
    import shared.platform.config  # noqa: PLC0415 - the service's fresh import
    import shared.platform.secret  # noqa: PLC0415
    from shared.domain.ports import Restore  # noqa: PLC0415
    from shared.domain.scope import Scope  # noqa: PLC0415

    fill(api, "weekly", 5)
    flush(service)
    boards = service.modules["handlers.get_leaderboard"].SERVICE.leaderboards
    record = boards._record  # the service's own record, for this test's wrapper

    class TakenOver:
        """The record, but the lease is another's by the time the rebuild renews it before its mark."""

        def save_rebuild_progress(self, scope: Scope, owner: str, progress: Restore, until_ms: int) -> bool:
            service.dynamodb.update_item(
                TableName=service.table_name,
                Key={"pk": {"S": "boards"}, "sk": {"S": scope.board}},
                UpdateExpression="SET rebuildOwner = :other",
                ExpressionAttributeValues={":other": {"S": "another instance"}},
            )
            return bool(record.save_rebuild_progress(scope, owner, progress, until_ms))

        def __getattr__(self, name: str) -> Any:
            return getattr(record, name)

    rebuilder = shared.domain.rebuild.Rebuilder(boards._index, TakenOver(), shared.platform.config.settings())
    key = shared.platform.secret.Secret("momento", service.api_key, lambda: service.api_key)
    assert rebuilder.run(Scope("weekly"), key, time.time() + 10) is shared.domain.rebuild.Outcome.BUSY
    assert not boards._index.is_whole(Scope("weekly"), key)


def test_a_board_the_registry_does_not_know_is_answered_as_the_index_has_it(
    service: Service, api: InProcessClient
) -> None:
    """A board from before durable boards (not yet backfilled) is not hidden, nor rebuilt from nothing."""
    with service.momento.store.session(CACHE) as view:
        view.put(b"legacy", [(b"old-timer", 7.0)], ttl=Ttl(ttl_ms=60_000, refresh=True))
    assert api.page("legacy").json() == {
        "leaderboard": [{"rank": 0, "name": "old-timer", "score": 7}],
        "total": 1,
        "settings": {"order": "desc", "update": "latest", "ties": "distinct", "periods": ["all"], "timeZone": "UTC"},
    }
    assert api.page("nothing").json() == {
        "leaderboard": [],
        "total": 0,
        "settings": {"order": "desc", "update": "latest", "ties": "distinct", "periods": ["all"], "timeZone": "UTC"},
    }
    assert_error(api.standing("nothing", "ada"), 404, "not on leaderboard")


# --- keeping boards alive --------------------------------------------------------------------------------------------


def keep_boards_alive(service: Service) -> dict[str, int]:
    module = service.modules["handlers.keep_boards_alive"]
    report: dict[str, int] = module.lambda_handler(
        load_event("keep-boards-alive.json"), lambda_context("leaderboard-api-test-keep-boards-alive")
    )
    return report


def test_the_schedule_raises_ttls_rebuilds_lost_boards_and_retires_old_ones(
    service_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, momento_local: Any, ssm: Any
) -> None:
    service, api = started_with(monkeypatch, momento_local, ssm, BOARD_RETENTION_DAYS="30")
    for board in ("kept", "lost", "old"):
        fill(api, board, 5)
    with service.momento.store.session(CACHE) as view:
        view.update_ttl(b"kept", 60_000, TtlChange.OVERWRITE)  # a board close to expiring
        view.delete(b"lost")
    service.dynamodb.update_item(
        TableName=service.table_name,
        Key={"pk": {"S": "boards"}, "sk": {"S": "old"}},
        UpdateExpression="SET lastWrite = :t",
        ExpressionAttributeValues={":t": {"N": str(int(time.time()) - 31 * 86_400)}},
    )
    assert keep_boards_alive(service) == {"kept": 1, "rebuilt": 1, "pending": 0, "retired": 1}
    with service.momento.store.session(CACHE) as view:
        remaining = view.remaining_ttl_s(b"kept")
    assert remaining is not None
    assert remaining > 86_000
    assert index_of(service, "lost") == record_of(service, "lost")
    assert index_of(service, "old") is None  # left the index
    assert len(record_of(service, "old")) == 5  # and stays in the record
    assert api.page("old").json()["leaderboard"] == []
    assert api.submit("old", "returning", {"score": 1}).status == 202  # a new write revives the whole board
    assert len(api.page("old").json()["leaderboard"]) == 6
