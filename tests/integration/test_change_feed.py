"""The record's change feed: the reindexing function, in-process, handed the table's own stream records (moto's,
shaped as Lambda's event as `make dev` shapes them) after a write or a removal stopped between the record and the
index, brings the index in line with the record; changes of a removed generation and of the registry are left alone,
and a failure raises, so Lambda retries the batch."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from devserver.local_aws import dynamodb_streams_client
from devserver.streams import lambda_record
from shared.domain.scope import Scope
from shared.stores.dynamodb.codec import first_version, score_key
from tests.support.api_client import InProcessClient, assert_error
from tests.support.lambda_fakes import lambda_context, load_event
from tests.support.record import index_of, record_of
from tests.support.service import Service

Feed = Callable[[], dict[str, Any]]  # the stream's records since the test began, as the function's event


@pytest.fixture
def api(service: Service) -> InProcessClient:
    return InProcessClient(service)


@pytest.fixture
def feed(service: Service) -> Feed:
    """The table's stream from now on (as a mapping created now reads it: LATEST), as Lambda's event."""
    streams = dynamodb_streams_client(service.dynamodb.meta.endpoint_url)
    arn = service.dynamodb.describe_table(TableName=service.table_name)["Table"]["LatestStreamArn"]
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    position = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST")

    def read() -> dict[str, Any]:
        answer = streams.get_records(ShardIterator=position["ShardIterator"])
        position["ShardIterator"] = answer["NextShardIterator"]
        return {"Records": [lambda_record(record, arn) for record in answer["Records"]]}

    return read


def reindex(service: Service, event: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The function as the stream runs it, with the feed's wait (12 s after the newest change) taken out."""
    module = service.modules["handlers.reindex_changes"]
    monkeypatch.setattr(sys.modules["shared.domain.leaderboards"], "REINDEX_AFTER_S", 0.0)
    report: dict[str, int] = module.lambda_handler(event, lambda_context("leaderboard-api-test-reindex", 30_000))
    return report


def write_straight(
    service: Service, board: str, player: str, score: float, *, version: int, generation: int = 0
) -> None:
    """A score item as a write leaves it in the record when its instance stops before the index call."""
    item = {**score_key(Scope(board, None, generation), player), **first_version(score, int(time.time() * 1000))}
    service.dynamodb.put_item(TableName=service.table_name, Item=item | {"version": {"N": str(version)}})


def delete_straight(service: Service, board: str, player: str) -> None:
    """A player removal that stopped after its record delete."""
    service.dynamodb.delete_item(TableName=service.table_name, Key=score_key(Scope(board), player))


def test_scores_a_stopped_write_left_in_the_record_reach_the_index(
    service: Service, api: InProcessClient, feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a board whole in the index, and two writes that stopped after their record write: a new score for one
    # player, a first one for another
    assert api.submit("weekly", "ada", {"score": 1}).status == 202
    assert api.submit("weekly", "bob", {"score": 2}).status == 202
    feed()  # what the writes above changed: settled already
    write_straight(service, "weekly", "ada", 5, version=2)
    write_straight(service, "weekly", "cy", 3, version=1)
    assert index_of(service, "weekly") == {"ada": 1, "bob": 2}

    # When the stream runs the function with those changes
    report = reindex(service, feed(), monkeypatch)

    # Then both players are settled, and the reads show what the record holds
    assert report == {"changes": 2, "settled": 2}
    assert index_of(service, "weekly") == record_of(service, "weekly") == {"ada": 5, "bob": 2, "cy": 3}
    assert api.standing("weekly", "cy").json() == {"score": 3, "rank": 1}


def test_a_player_a_stopped_removal_left_in_the_index_leaves_it(
    service: Service, api: InProcessClient, feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a board whole in the index, and a removal that stopped after deleting the player from the record
    assert api.submit("weekly", "ada", {"score": 1}).status == 202
    assert api.submit("weekly", "bob", {"score": 2}).status == 202
    feed()
    delete_straight(service, "weekly", "ada")
    assert api.standing("weekly", "ada").status == 200  # the index still has them

    # When the stream runs the function with the deletion
    report = reindex(service, feed(), monkeypatch)

    # Then the player is out of the index too
    assert report == {"changes": 1, "settled": 1}
    assert index_of(service, "weekly") == record_of(service, "weekly") == {"bob": 2}
    assert_error(api.standing("weekly", "ada"), 404, "not on leaderboard")


def test_registry_changes_in_a_batch_are_left_out(
    service: Service, api: InProcessClient, feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a batch holding a new board's registry items (its first write registers it) beside its score item
    feed()
    assert api.submit("monthly", "ada", {"score": 4}).status == 202
    event = feed()
    keys = [record["dynamodb"]["Keys"]["pk"]["S"] for record in event["Records"]]
    scores = [key for key in keys if key == "board#monthly"]
    assert scores
    assert "boards" in keys

    # When the stream runs the function with it, Then only the score item's changes are changes to look at, and its
    # one player, whom its own request indexed, needs nothing
    assert reindex(service, event, monkeypatch) == {"changes": len(scores), "settled": 0}
    assert index_of(service, "monthly") == {"ada": 4}


def test_a_change_of_a_removed_generation_is_left_alone(
    service: Service, api: InProcessClient, feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a board removed, written again (its next generation), and a late write of the removed generation
    assert api.submit("weekly", "ada", {"score": 1}).status == 202
    assert api.remove_board("weekly").status == 204
    assert api.submit("weekly", "bob", {"score": 2}).status == 202
    feed()
    write_straight(service, "weekly", "late", 9, version=1, generation=0)

    # When the stream runs the function with it
    report = reindex(service, feed(), monkeypatch)

    # Then nothing is settled: the removed generation's set stays gone, the board reads as its new generation
    assert report == {"changes": 1, "settled": 0}
    assert index_of(service, "weekly") is None
    assert index_of(service, "weekly#1") == {"bob": 2}
    assert api.page("weekly").json()["leaderboard"] == [{"rank": 0, "name": "bob", "score": 2}]


def test_a_batch_that_fails_raises_and_its_retry_settles_it(
    service: Service, api: InProcessClient, feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a write that stopped after its record write, and Momento failing puts
    assert api.submit("weekly", "ada", {"score": 1}).status == 202
    feed()
    write_straight(service, "weekly", "ada", 7, version=2)
    event = feed()
    service.momento.faults.set(return_error="unavailable", error_rpcs=["sorted-set-put"])

    # When the stream runs the function with the change, Then it fails (Lambda retries the batch) and the index is
    # as it was
    with pytest.raises(sys.modules["shared.domain.errors"].StoreUnavailable):
        reindex(service, event, monkeypatch)
    assert index_of(service, "weekly") == {"ada": 1}

    # And the retry, once Momento is back, settles it
    service.momento.faults.clear()
    assert reindex(service, event, monkeypatch) == {"changes": 1, "settled": 1}
    assert index_of(service, "weekly") == {"ada": 7}


def test_the_sample_stream_event_runs_as_it_is(
    service: Service, api: InProcessClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the sample event `make invoke` sends (a change of v and a removal of ada, on weekly), with v's score
    # in the record and not in the index, and ada, removed from the record, still in the index
    assert api.submit("weekly", "ada", {"score": 1}).status == 202
    assert api.submit("weekly", "v", {"score": 2}).status == 202
    write_straight(service, "weekly", "v", 2077, version=2)
    delete_straight(service, "weekly", "ada")

    # When the function runs it, Then the index holds what the record does
    assert reindex(service, load_event("reindex-changes.json"), monkeypatch) == {"changes": 2, "settled": 2}
    assert index_of(service, "weekly") == record_of(service, "weekly") == {"v": 2077}
