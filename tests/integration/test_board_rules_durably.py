"""Board rules against the record and the index themselves: exact best and increment under concurrent writers,
removal that leaves no trace (not even after a rebuild), a removed board's old scores purged, and boards ranked
lowest first or with shared ranks rebuilt exactly after Momento loses them."""

from __future__ import annotations

import random
import sys
import threading
from typing import Any

import pytest

from tests.support.api_client import InProcessClient
from tests.support.lambda_fakes import lambda_context, load_event
from tests.support.record import index_of, record_of
from tests.support.service import CACHE, Service

WRITERS = 8
ROUNDS = 5


@pytest.fixture
def api(service: Service) -> InProcessClient:
    return InProcessClient(service)


def registry_of(service: Service, board: str) -> dict[str, Any]:
    key = {"pk": {"S": "boards"}, "sk": {"S": board}}
    return service.dynamodb.get_item(TableName=service.table_name, Key=key, ConsistentRead=True)["Item"]


def flush(service: Service) -> None:
    service.momento.store.flush_cache(CACHE)


def at_once(*calls: Any) -> None:
    """Runs the calls on threads released together (the warm handler shared, as concurrent requests would)."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Any) -> None:
        barrier.wait()
        try:
            call()
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"update": "best"}, max),
        ({"update": "best", "order": "asc"}, min),
        ({"update": "increment"}, sum),
    ],
    ids=["best-desc", "best-asc", "increment"],
)
def test_concurrent_submissions_keep_exactly_the_best_or_the_sum(
    service: Service, api: InProcessClient, settings: dict[str, str], expected: Any
) -> None:
    assert api.settings("race", settings).status == 200
    rng = random.Random(7)
    submitted: list[int] = []
    for _ in range(ROUNDS):
        scores = [rng.randrange(-1000, 1000) for _ in range(WRITERS)]
        submitted += scores

        def submit(score: int) -> None:
            assert api.submit("race", "ada", {"score": score}).status == 202

        at_once(*(lambda s=s: submit(s) for s in scores))
        assert record_of(service, "race") == index_of(service, "race") == {"ada": expected(submitted)}


def test_a_removal_racing_writers_leaves_the_index_equal_to_the_record(service: Service, api: InProcessClient) -> None:
    for round_ in range(ROUNDS):
        writes = [lambda s=s + round_: api.submit("race", "ada", {"score": s}) for s in range(WRITERS - 1)]
        at_once(*writes, lambda: api.remove_player("race", "ada"))
        assert index_of(service, "race") == record_of(service, "race")


def test_a_removed_player_stays_removed_after_momento_loses_the_board(service: Service, api: InProcessClient) -> None:
    for name, score in {"ada": 3, "cheat": 999, "bob": 1}.items():
        api.submit("weekly", name, {"score": score})
    assert api.remove_player("weekly", "cheat").status == 204
    assert record_of(service, "weekly") == {"ada": 3, "bob": 1}
    flush(service)
    assert [e["name"] for e in api.page("weekly").json()["leaderboard"]] == ["ada", "bob"]
    assert index_of(service, "weekly") == record_of(service, "weekly")


def test_a_removed_board_loses_its_scores_and_settings_and_starts_a_new_generation(
    service: Service, api: InProcessClient
) -> None:
    api.settings("weekly", {"order": "asc"})
    for i in range(30):
        api.submit("weekly", f"p{i}", {"score": i})
    assert api.remove_board("weekly").status == 204
    assert record_of(service, "weekly") == {}  # purged within the request
    registry = registry_of(service, "weekly")
    # The old generation stays listed for the schedule until no write that read it before the removal can land.
    assert (registry["generation"]["N"], "order" in registry, registry["purging"]["NS"]) == ("1", False, ["0"])
    assert index_of(service, "weekly") is None
    api.submit("weekly", "new", {"score": 1})
    assert record_of(service, "weekly", generation=1) == {"new": 1}
    flush(service)
    assert api.page("weekly").json()["leaderboard"] == [{"rank": 0, "name": "new", "score": 1}]


def test_what_a_removal_could_not_purge_in_time_the_schedule_does(
    service: Service, api: InProcessClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(10):
        api.submit("weekly", f"p{i}", {"score": i})
    monkeypatch.setattr(
        sys.modules["shared.domain.leaderboards"], "PURGE_IN_REQUEST_S", 0
    )  # the warm handler's: no time left
    assert api.remove_board("weekly").status == 204
    assert len(record_of(service, "weekly")) == 10
    assert registry_of(service, "weekly")["purging"]["NS"] == ["0"]
    module = service.modules["handlers.keep_boards_alive"]
    module.lambda_handler(load_event("keep-boards-alive.json"), lambda_context("leaderboard-api-test-keep-alive"))
    assert record_of(service, "weekly") == {}
    assert registry_of(service, "weekly")["purging"]["NS"] == ["0"]  # a write in flight may still land in it
    monkeypatch.setattr(sys.modules["shared.domain.leaderboards"], "STALE_WRITE_S", 0)  # ...no longer
    module.lambda_handler(load_event("keep-boards-alive.json"), lambda_context("leaderboard-api-test-keep-alive"))
    assert "purging" not in registry_of(service, "weekly")


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_board_with_its_own_order_and_shared_ranks_reads_exactly_the_same_after_a_flush(
    service: Service, api: InProcessClient, order: str
) -> None:
    api.settings("laps", {"order": order, "ties": "shared"})
    for i in range(40):
        api.submit("laps", f"driver-{i:02d}", {"score": 60 + i // 3})
    names = [("name", f"driver-{i:02d}") for i in (0, 7, 39)]
    before = [api.page("laps", {"startRank": "0", "endRank": "100"}).json(), api.page("laps", names).json()]
    before += [api.around("laps", "driver-20", {"count": "3"}).json(), api.standing("laps", "driver-05").json()]
    flush(service)
    after = [api.page("laps", {"startRank": "0", "endRank": "100"}).json(), api.page("laps", names).json()]
    after += [api.around("laps", "driver-20", {"count": "3"}).json(), api.standing("laps", "driver-05").json()]
    assert after == before
    assert before[0]["total"] == 40
