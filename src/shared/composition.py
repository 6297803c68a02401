"""The composition root: the one place that builds the stores and hands them to the domain.

Called at a handler module's import, so the store clients a route always needs are made during the cold start's
init (which Lambda runs with a full CPU, and which SnapStart keeps in its snapshot), not by the first request: the
DynamoDB client for the routes that write; the read routes make it only if a request needs the record (when the
index has lost a board), since importing boto3 for it would double their cold start. The Momento client needs
the API key, which the chain fetches per request (so a rotated key takes effect): it is made at the first call with
the key and kept while the key is the same.
"""

from __future__ import annotations

from functools import cache

from shared.domain.leaderboards import Leaderboards
from shared.platform.config import Settings, settings
from shared.stores.dynamodb.record import DynamoRecord
from shared.stores.momento.index import MomentoIndex


@cache
def leaderboards(*, record_at_init: bool = True) -> Leaderboards:
    """The execution environment's leaderboards: one Momento index, one DynamoDB record. `record_at_init=False`
    (the read routes): the record's client is made at the first request that needs it, so a read's cold start does
    not import boto3 for a store it asks only when the index has lost a board."""
    config = settings()
    return build(config, record=DynamoRecord(config, connect_now=record_at_init))


def build(config: Settings, *, index: MomentoIndex | None = None, record: DynamoRecord | None = None) -> Leaderboards:
    """Leaderboards over the functions' stores for `config`; `index` or `record` given instead where a caller needs
    its own (the bench: a Momento configuration or a DynamoDB client that adds network latency)."""
    return Leaderboards(index or MomentoIndex(config), record or DynamoRecord(config), config)
