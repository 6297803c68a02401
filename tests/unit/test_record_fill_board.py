"""DynamoRecord.fill_board: 25 players per BatchWriteItem, and what DynamoDB leaves unprocessed written again."""

from __future__ import annotations

from typing import Any, cast

import pytest
from mypy_boto3_dynamodb import DynamoDBClient

from shared.domain.errors import StoreThrottled
from shared.domain.scope import Scope
from shared.stores.dynamodb.record import DynamoRecord
from tests.support.settings import settings_for_tests


class BatchWrites:
    """Stands in for the DynamoDB client: notes each batch; leaves the first `refuse` batches' last item unprocessed."""

    def __init__(self, refuse: int = 0) -> None:
        self.batches: list[list[str]] = []
        self._refuse = refuse

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:  # noqa: N803
        ((table, requests),) = RequestItems.items()
        self.batches.append([request["PutRequest"]["Item"]["sk"]["S"] for request in requests])
        if self._refuse > 0:
            self._refuse -= 1
            return {"UnprocessedItems": {table: requests[-1:]}}
        return {"UnprocessedItems": {}}


def record(client: BatchWrites) -> DynamoRecord:
    config = settings_for_tests(table_name="leaderboard-api-unit")
    return DynamoRecord(config, cast("DynamoDBClient", client))


def test_players_go_25_to_a_request_and_what_is_left_unprocessed_is_written_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("shared.stores.dynamodb.record.time.sleep", lambda _: None)
    client = BatchWrites(refuse=2)
    record(client).fill_board(Scope("demo"), {f"p{i:02d}": float(i) for i in range(60)}, now_ms=0)
    assert [len(batch) for batch in client.batches] == [25, 1, 1, 25, 10]
    assert sorted({sk for batch in client.batches for sk in batch}) == [f"player#p{i:02d}" for i in range(60)]


def test_a_batch_dynamodb_keeps_refusing_is_a_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shared.stores.dynamodb.record.time.sleep", lambda _: None)
    with pytest.raises(StoreThrottled):
        record(BatchWrites(refuse=100)).fill_board(Scope("demo"), {"ada": 1.0}, now_ms=0)
