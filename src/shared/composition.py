"""The composition root: the one place that builds the stores and hands them to the domain.

Called at a handler module's import, so what a route always needs is made during the cold start's init (which
Lambda runs with a full CPU, and which SnapStart keeps in its snapshot), not by the first request: both stores'
clients, and (through `api_handler`'s `connect`, once the key is fetched) their connections. The read routes make
the DynamoDB client only if a request needs the record (when the index has lost a board): importing boto3 for it
would double their cold start.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from shared.domain.clock import SYSTEM_CLOCK, Clock, OffsetClock
from shared.domain.leaderboards import Leaderboards
from shared.platform.config import Settings, settings
from shared.platform.secret import Secret
from shared.stores.dynamodb.record import DynamoRecord
from shared.stores.momento.index import MomentoIndex

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer


@dataclass(frozen=True)
class Service:
    """A function's leaderboards over its stores, and how to open the stores' connections before a request."""

    leaderboards: Leaderboards
    index: MomentoIndex
    record: DynamoRecord | None  # None: the record's client is made at the first request that needs it
    clock: Clock  # the domain's: a handler that sets a deadline for the domain reads it here

    def idempotency(self) -> DynamoDBPersistenceLayer:
        """Where a write route keeps its Idempotency-Key answers: the record's table, through its client."""
        from shared.stores.dynamodb.idempotency import idempotency_store  # noqa: PLC0415 - brings boto3's idempotency

        if self.record is None:
            raise RuntimeError("a route that keeps Idempotency-Key answers makes the record at init")
        return idempotency_store(settings(), self.record.client())

    def connect(self, key: Secret) -> None:
        """Opens the index's connection with the key (and the record's, when its client is made at init), each with
        one read through it (see MomentoIndex.connect, DynamoRecord.connect)."""
        self.index.connect(key)
        if self.record is not None:
            self.record.connect()


@cache
def service(*, record_at_init: bool = True) -> Service:
    """The execution environment's service: one Momento index, one DynamoDB record. `record_at_init=False` (the
    read routes): the record's client is made at the first request that needs it, so a read's cold start does not
    import boto3 for a store it asks only when the index has lost a board."""
    config = settings()
    index = MomentoIndex(config)
    record = DynamoRecord(config, connect_now=record_at_init)
    clock = clock_of(config)
    leaderboards = build(config, index=index, record=record, clock=clock)
    return Service(leaderboards, index, record if record_at_init else None, clock)


def build(
    config: Settings,
    *,
    index: MomentoIndex | None = None,
    record: DynamoRecord | None = None,
    clock: Clock | None = None,
) -> Leaderboards:
    """Leaderboards over the functions' stores for `config`, on its clock; `index` or `record` given instead where a
    caller needs its own (the bench: a Momento configuration or a DynamoDB client that adds network latency)."""
    return Leaderboards(
        index or MomentoIndex(config), record or DynamoRecord(config), config, clock or clock_of(config)
    )


def clock_of(config: Settings) -> Clock:
    """The system's clock, or (a local stack started at another instant) the system's moved by the stack's offset."""
    offset_s = config.clock_offset.total_seconds()
    return OffsetClock(offset_s) if offset_s else SYSTEM_CLOCK
