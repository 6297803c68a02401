"""A function's init fetches the Momento key and opens its stores' connections, each with one read through it, so
its first request costs what any later one does (`make bench` measures that); against momento-local and moto."""

from __future__ import annotations

import sys

import pytest
from mypy_boto3_dynamodb import DynamoDBClient

from shared.platform.secret import Secret
from tests.support.api_client import InProcessClient
from tests.support.record import leaderboard_table_spec
from tests.support.service import API_KEY, API_KEY_PARAMETER, Service

# The functions that ask Momento (all but the board page's), and those whose every request writes the record (a
# read function makes its DynamoDB client only if a request needs the record: see composition.py).
MOMENTO_FUNCTIONS = 9
RECORD_FUNCTIONS = {
    "handlers.reindex_changes",
    "handlers.submit_score",
    "handlers.update_board_settings",
    "handlers.remove_player",
    "handlers.remove_board",
    "handlers.keep_boards_alive",
}


def test_each_function_connects_at_init_and_its_first_request_needs_no_key_fetch(service: Service) -> None:
    api = InProcessClient(service)
    # Given every function started (each its init, as at its first request)
    started = dict(service.modules)
    # Then each function that asks Momento made its one connecting read at init, before any request
    assert service.momento.calls("sorted-set-length") == MOMENTO_FUNCTIONS
    connected = {
        name
        for name, module in started.items()
        if getattr(module, "SERVICE", None) is not None and module.SERVICE.record is not None
    }
    assert connected == RECORD_FUNCTIONS
    # The key was fetched at init: with it gone from SSM, the first requests are served all the same
    service.ssm.delete_parameter(Name=API_KEY_PARAMETER)
    assert api.submit("weekly", "v", {"score": 7}).status == 202
    assert api.standing("weekly", "v").json() == {"score": 7, "rank": 0}


def test_connecting_leaves_no_set_and_no_item(service: Service, dynamodb: DynamoDBClient) -> None:
    dict(service.modules)  # every function started
    assert service.momento.store.keys_held(service.cache) == set()
    assert dynamodb.scan(TableName=leaderboard_table_spec().name)["Count"] == 0


def test_connect_with_a_revoked_key_fetches_the_rotated_one(service: Service) -> None:
    index = service.modules["handlers.submit_score"].SERVICE.index
    calls = service.momento.calls("sorted-set-length")
    service.momento.set_tokens(["rotated-key"])
    index.connect(Secret(API_KEY_PARAMETER, API_KEY, lambda: "rotated-key"))
    assert service.momento.calls("sorted-set-length") == calls + 2  # rejected, then accepted


def test_connect_fails_loudly_when_the_store_cannot_answer(service: Service) -> None:
    index = service.modules["handlers.submit_score"].SERVICE.index
    service.momento.faults.set(return_error="unavailable")
    unavailable = sys.modules["shared.domain.errors"].StoreUnavailable  # the service's own, freshly imported
    with pytest.raises(unavailable):
        index.connect(Secret(API_KEY_PARAMETER, API_KEY, lambda: API_KEY))
