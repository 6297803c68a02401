"""`make dev DATA_DIR=...`: the local record (the template's tables in moto) saved when the dev server stops, loaded
when it starts, so accepted scores outlive a restart.

moto keeps nothing on disk, so this is a snapshot, not a database: written on a clean stop (Ctrl-C, SIGTERM), whole,
into a temporary file renamed over the last one. A killed dev server loses what changed since it started, never the
previous snapshot. Only the record is kept: momento-local starts empty, as Momento's index does after a flush or an
expiry, which the service is built to recover from.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devserver.tables import TableSpec

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SNAPSHOT_FILE = "dynamodb.json"
FORMAT = 1
BATCH = 25  # BatchWriteItem's limit


class SnapshotError(Exception):
    """A snapshot that cannot be loaded, said in one line."""


def snapshot_path(data_dir: Path) -> Path:
    return data_dir / SNAPSHOT_FILE


def save_snapshot(client: DynamoDBClient, tables: Iterable[TableSpec], data_dir: Path) -> dict[str, int]:
    """Every item of the tables, in DynamoDB's JSON (types kept exactly), into data_dir; items saved per table.

    Tables the snapshot holds that are not served now (another stage's, say) are kept as they were.
    """
    items = {spec.name: _scan(client, spec.name) for spec in tables}
    data_dir.mkdir(parents=True, exist_ok=True)
    target = snapshot_path(data_dir)
    kept = {name: saved for name, saved in _read(target).items() if name not in items}
    partial = target.with_name(target.name + ".partial")
    snapshot = {"format": FORMAT, "tables": kept | items}
    partial.write_text(json.dumps(snapshot, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, target)  # atomic: a crash mid-write leaves the previous snapshot whole
    return {name: len(table_items) for name, table_items in items.items()}


def load_snapshot(client: DynamoDBClient, tables: Iterable[TableSpec], data_dir: Path) -> dict[str, int]:
    """Puts the saved items back into the (new, empty) tables; items loaded per table. No snapshot yet: nothing.

    Only the template's tables are loaded, so an old snapshot never creates a table the template does not have.
    """
    saved = _read(snapshot_path(data_dir))
    loaded = {}
    for spec in tables:
        items = saved.get(spec.name, [])
        for start in range(0, len(items), BATCH):
            requests: Any = [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH]]
            _write_all(client, {spec.name: requests})
        loaded[spec.name] = len(items)
    return loaded


def _read(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The items a snapshot holds, by table ({} if there is none yet), or a SnapshotError saying what is wrong."""
    if not path.exists():
        return {}
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SnapshotError(f"cannot read the snapshot {path}: {error}") from None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT or not isinstance(saved.get("tables"), dict):
        raise SnapshotError(f"{path} is not a snapshot this dev server wrote (format {FORMAT}); move it away")
    tables: dict[str, list[dict[str, Any]]] = saved["tables"]
    return tables


def _scan(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items.extend(page.get("Items", []))
    return items


def _write_all(client: DynamoDBClient, request_items: Any) -> None:
    while request_items:
        answer = client.batch_write_item(RequestItems=request_items)
        request_items = answer.get("UnprocessedItems") or {}
