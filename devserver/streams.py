"""A table's stream delivered locally, as Lambda's event source mapping delivers it: `make dev` reads the stream of
each table a function's DynamoDB event names (moto's DynamoDB Streams API) about once a second and invokes the
function in its pool with Lambda's stream event, so the record's change feed runs as it does in AWS.

As the mapping does: it starts at the stream's end (LATEST, when the dev server starts), keeps only the records the
event's FilterCriteria match, sends at most BatchSize records per event with the stream's ARN, one batch at a time
per function, and a batch that fails is sent again (halved first when BisectBatchOnFunctionError is set) up to
MaximumRetryAttempts times, then dropped with a line in the terminal. Not imitated: the batching window (a batch
is what a second gathered) and MaximumRecordAgeInSeconds.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from devserver.local_aws import dynamodb_client, dynamodb_streams_client
from devserver.runtime import FunctionPool
from devserver.template import Application, StreamSource

POLL_S = 1.0
Pools = Callable[[], Mapping[str, FunctionPool]]


class UnsupportedFilterError(ValueError):
    """A FilterCriteria pattern uses an operator this stand-in does not evaluate."""


def matches(pattern: Any, value: Any) -> bool:
    """Lambda's event filtering, for the operators a template here uses: nested objects, and a list of options,
    each a value, `{"prefix": ...}` or `{"exists": ...}`. Another operator raises UnsupportedFilterError."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(
            matches(option, value.get(name, _ABSENT))
            if isinstance(option, dict)
            else _matches_options(option, value.get(name, _ABSENT))
            for name, option in pattern.items()
        )
    return _matches_options(pattern, value)


_ABSENT = object()


def _matches_options(options: Any, value: Any) -> bool:
    if not isinstance(options, list):
        raise UnsupportedFilterError(f"a filter's leaf must be a list of options, not {options!r}")
    for option in options:
        if isinstance(option, dict):
            if set(option) == {"prefix"}:
                if isinstance(value, str) and value.startswith(option["prefix"]):
                    return True
            elif set(option) == {"exists"}:
                if (value is not _ABSENT) is bool(option["exists"]):
                    return True
            else:
                raise UnsupportedFilterError(f"the dev server does not evaluate the filter operator {option!r}")
        elif value is not _ABSENT and option == value:
            return True
    return False


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record as the Streams API gives it (boto3: the creation time a datetime) as Lambda's event holds it (the
    time in whole seconds, rounded down as DynamoDB rounds it; the stream's ARN)."""
    change = dict(record.get("dynamodb", {}))
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": change, "eventSourceARN": stream_arn}


@dataclass
class _Feed:
    """One event source mapping: a function, the stream it reads, where it is in each shard."""

    function_id: str
    source: StreamSource
    stream_arn: str
    patterns: list[Any]
    iterators: dict[str, str] = field(default_factory=dict)  # shard id -> the next iterator

    def wanted(self, record: Mapping[str, Any]) -> bool:
        return not self.patterns or any(matches(pattern, record) for pattern in self.patterns)


class StreamFeeds:
    """Every DynamoDB event of the application's functions, read on a thread of its own; start(), stop()."""

    def __init__(self, app: Application, endpoint: str, pools: Pools, log: Callable[[str], None]) -> None:
        self._pools = pools
        self._log = log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stream-feeds", daemon=True)
        self._streams = dynamodb_streams_client(endpoint)
        dynamodb = dynamodb_client(endpoint)
        self._feeds = []
        for spec in app.functions.values():
            for source in spec.streams:
                table = app.tables.get(source.table)
                if table is None or not table.has_stream:
                    continue
                arn = dynamodb.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
                patterns = [json.loads(pattern) for pattern in source.filters]
                for pattern in patterns:
                    matches(pattern, {})  # an operator it cannot evaluate fails the start, not each batch
                self._feeds.append(_Feed(spec.logical_id, source, arn, patterns))

    @property
    def functions(self) -> list[str]:
        return [feed.function_id for feed in self._feeds]

    def start(self) -> StreamFeeds:
        """From the streams' ends now (StartingPosition LATEST): nothing written before reaches a function."""
        for feed in self._feeds:
            shards = self._streams.describe_stream(StreamArn=feed.stream_arn)["StreamDescription"]["Shards"]
            for shard in shards:
                feed.iterators[shard["ShardId"]] = self._streams.get_shard_iterator(
                    StreamArn=feed.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
                )["ShardIterator"]
        if self._feeds:
            self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        """No batch starts after this; one in flight ends when its function's workers are stopped (Gateway.close)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.wait(POLL_S):
            for feed in self._feeds:
                try:
                    self._poll(feed)
                except Exception as error:  # moto stopping under us, or a bug: say so, and go on reading
                    if self._stop.is_set():
                        return
                    self._log(f"stream of {feed.function_id}: {type(error).__name__}: {error}")

    def _poll(self, feed: _Feed) -> None:
        for shard, iterator in list(feed.iterators.items()):
            answer = self._streams.get_records(ShardIterator=iterator)
            feed.iterators[shard] = answer["NextShardIterator"]
            records = [lambda_record(r, feed.stream_arn) for r in answer["Records"]]
            records = [record for record in records if feed.wanted(record)]
            size = max(1, feed.source.batch_size)
            for start in range(0, len(records), size):
                if self._stop.is_set():
                    return
                self._deliver(feed, records[start : start + size], feed.source.maximum_retries)

    def _deliver(self, feed: _Feed, records: list[dict[str, Any]], retries_left: int) -> None:
        pool = self._pools().get(feed.function_id)
        if pool is None or self._stop.is_set():
            return
        outcome = pool.invoke({"Records": records}, str(uuid.uuid4()))
        if outcome.error is None and not outcome.timed_out:
            self._log(f"stream: {len(records)} change(s) -> {feed.function_id}")
            return
        if self._stop.is_set():
            return
        why = "timed out" if outcome.timed_out else (outcome.error or {}).get("errorType", "failed")
        if retries_left == 0:
            self._log(f"stream: {len(records)} change(s) -> {feed.function_id} {why}; dropped after its retries")
            return
        self._log(f"stream: {len(records)} change(s) -> {feed.function_id} {why}; retrying")
        if feed.source.bisect_on_error and len(records) > 1:
            half = len(records) // 2
            self._deliver(feed, records[:half], retries_left - 1)
            self._deliver(feed, records[half:], retries_left - 1)
        else:
            self._deliver(feed, records, retries_left - 1)
