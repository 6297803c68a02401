"""Where the Idempotency-Key records live: Powertools' DynamoDB persistence layer, in the record's own table.

Their items have the partition key `idempotency` (no score, registry or period partition is named so) and the key's
hash as sort key; they expire by the table's TTL attribute, Powertools' `expiration`. One partition holds them all:
DynamoDB splits a hot partition by sort key (adaptive capacity), and a key costs two writes only when a client sends
one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from shared.platform.config import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PARTITION = "idempotency"
EXPIRY_ATTRIBUTE = "expiration"  # template.yaml's TimeToLiveSpecification names it too


def idempotency_store(config: Settings, client: DynamoDBClient) -> DynamoDBPersistenceLayer:
    """The persistence layer over the record's table, with the record's client (its timeouts, its connection)."""
    return DynamoDBPersistenceLayer(
        table_name=config.table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=PARTITION,
        expiry_attr=EXPIRY_ATTRIBUTE,
        boto3_client=client,
    )
