"""The record's change feed as the domain reads it: a DynamoDB stream event (Lambda's, KEYS_ONLY) turned into the
players whose score items changed, through the codec, which alone knows the keys' layout.

Only keys are read: the feed settles each player to what the record holds when it runs, never to a record's image.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent

from shared.domain.ports import Changed
from shared.stores.dynamodb.codec import score_of_key

# DynamoDB rounds ApproximateCreationDateTime down to the second: the change happened within the second after it,
# so the feed counts from the end of that second, never earlier than the change.
_ROUNDED_DOWN_S = 1.0


def changes_of(event: Mapping[str, Any], *, clock_offset_s: float, now_s: float) -> list[Changed]:
    """Each score item's change in the batch, in the stream's order; other items (the registry's) are left out.
    `clock_offset_s`: how far the domain's clock is from the system's, which DynamoDB stamps changes by (0 in AWS;
    a local stack started at another instant); `now_s`: the domain's time, for a record with no time (none in AWS)."""
    changes = []
    for record in DynamoDBStreamEvent(dict(event)).records:
        stream = record.dynamodb
        if stream is None:
            continue
        keys = stream.keys
        found = score_of_key(str(keys.get("pk", "")), str(keys.get("sk", "")))
        if found is None:
            continue
        scope, player = found
        stamped = stream.approximate_creation_date_time
        at_s = now_s if stamped is None else stamped + _ROUNDED_DOWN_S + clock_offset_s
        changes.append(Changed(scope, player, at_s))
    return changes
