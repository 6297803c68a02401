"""The composition root: the one place that builds the stores and hands them to the domain.

Called at a handler module's import, so both store clients are made during the cold start's init (which Lambda
runs with a full CPU, and which SnapStart keeps in its snapshot), not by the first request. The Momento client needs
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
def leaderboards() -> Leaderboards:
    """The execution environment's leaderboards: one Momento index, one DynamoDB record."""
    return build(settings())


def build(config: Settings, *, index: MomentoIndex | None = None, record: DynamoRecord | None = None) -> Leaderboards:
    """Leaderboards over the functions' stores for `config`; `index` or `record` given instead where a caller needs
    its own (the bench: a Momento configuration or a DynamoDB client that adds network latency)."""
    return Leaderboards(index or MomentoIndex(config), record or DynamoRecord(config), config)
