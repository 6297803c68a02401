"""The shared suite's subjects: each port's fake and its real store, so one test holds both to the same behaviour.

Every test here runs twice, against the fake (id `fake`) and the real store (id `dynamodb`: DynamoRecord on moto's
DynamoDB; id `momento`: MomentoIndex on momento-local). `pytest tests/stores -k fake` runs the fakes alone, in
about a second. Both sides share one movable clock: the fake index expires its sets by it, and momento-local's
store is set to it for the test, so a TTL passes when the test moves it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mypy_boto3_dynamodb import DynamoDBClient

from momento_local import MomentoLocalServer
from shared.domain.ports import Index, Record
from shared.domain.scope import Scope
from shared.platform.secret import Secret

# Imported with the tests, not in the fixtures: a test elsewhere on the same worker may import the service's modules
# anew (a cold start), and a store made from those would answer in classes these tests do not compare equal to.
from shared.stores.dynamodb.record import DynamoRecord
from shared.stores.momento.codec import set_name
from shared.stores.momento.index import MomentoIndex
from tests.stores.subjects import CACHE, KEY, TTL_S, IndexUnderTest, settings
from tests.support.fakes import Clock, FakeIndex, FakeRecord
from tests.support.record import leaderboard_table_spec


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["fake", "dynamodb"])
def record(request: pytest.FixtureRequest) -> Record:
    if request.param == "fake":
        return FakeRecord()
    request.getfixturevalue("leaderboard_table")  # created empty for this test
    client: DynamoDBClient = request.getfixturevalue("dynamodb")
    return DynamoRecord(settings(table_name=leaderboard_table_spec().name), client)


@pytest.fixture(scope="session")
def momento_index(momento_local_session: MomentoLocalServer) -> Index:
    """One client for the session (each test's momento-local is emptied by its `momento_local` fixture)."""
    return MomentoIndex(settings(momento_local_address=momento_local_session.address))


@pytest.fixture(params=["fake", "momento"])
def ix(request: pytest.FixtureRequest, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Iterator[IndexUnderTest]:
    key = Secret("momento-api-key", KEY, lambda: KEY)
    if request.param == "fake":
        fake = FakeIndex(clock, ttl_s=TTL_S)

        def limit_fake(size: int) -> None:
            fake.sets.max_bytes = size

        yield IndexUnderTest(fake, key, clock, fake.lose, limit_fake)
        return
    server: MomentoLocalServer = request.getfixturevalue("momento_local")  # emptied, limits reset afterwards
    server.set_tokens([KEY])
    monkeypatch.setattr(server.store, "clock", clock)

    def lose(scope: Scope) -> None:
        with server.store.session(CACHE) as view:
            view.delete(set_name(scope).encode("utf-8"))

    def limit_real(size: int) -> None:
        server.store.max_item_size_bytes = size

    yield IndexUnderTest(request.getfixturevalue("momento_index"), key, clock, lose, limit_real)
