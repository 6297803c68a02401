"""The fault tests' proxy works as they rely on it: it forwards, drops connections, and answers DynamoDB's throttling
errors in a shape botocore reads as DynamoDB's own (checked with a real boto3 client, against a tiny local target)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from mypy_boto3_dynamodb import DynamoDBClient

from tests.support.switchable_proxy import PROVISIONED_THROUGHPUT_EXCEEDED, THROTTLING, SwitchableProxy

TABLES = {"TableNames": ["leaderboard-api-test"]}


class _Target(BaseHTTPRequestHandler):
    """Answers every DynamoDB call with a ListTables result, closing the connection as moto does."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(TABLES).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def proxy() -> Iterator[SwitchableProxy]:
    target = ThreadingHTTPServer(("127.0.0.1", 0), _Target)
    threading.Thread(target=target.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    with SwitchableProxy("127.0.0.1", target.server_address[1]) as switchable:
        yield switchable
    target.shutdown()
    target.server_close()


def client(proxy: SwitchableProxy, attempts: int = 1) -> DynamoDBClient:
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts}, connect_timeout=2, read_timeout=5)
    return boto3.client(
        "dynamodb",
        endpoint_url=proxy.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # moto's conventional dummy credential
        config=config,
    )


def test_up_it_forwards_to_the_target(proxy: SwitchableProxy) -> None:
    assert client(proxy).list_tables()["TableNames"] == TABLES["TableNames"]
    assert proxy.answered == 0


def test_down_a_call_fails_as_a_connection_error(proxy: SwitchableProxy) -> None:
    proxy.up = False
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        client(proxy).list_tables()
    proxy.up = True
    assert client(proxy).list_tables()["TableNames"] == TABLES["TableNames"]


def test_throughput_exceeded_reaches_botocore_as_dynamodbs_modeled_error(proxy: SwitchableProxy) -> None:
    # Given the proxy answering every request with DynamoDB's throughput error
    proxy.answer_with(PROVISIONED_THROUGHPUT_EXCEEDED)
    dynamodb = client(proxy)
    # When a call is made, Then botocore raises DynamoDB's own exception class, HTTP 400, and asked once
    with pytest.raises(dynamodb.exceptions.ProvisionedThroughputExceededException) as raised:
        dynamodb.get_item(TableName="leaderboard-api-test", Key={"pk": {"S": "a"}, "sk": {"S": "b"}})
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert proxy.answered == 1


def test_throttling_is_retried_by_botocore_and_every_attempt_is_counted(proxy: SwitchableProxy) -> None:
    # Given the account-level throttling answer, and a client that retries throttling (standard mode, 2 attempts)
    proxy.answer_with(THROTTLING)
    with pytest.raises(ClientError) as raised:
        client(proxy, attempts=2).list_tables()
    # Then the error is ThrottlingException, after 2 attempts the proxy counted
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert proxy.answered == 2
    # And when it forwards again, the count restarts and calls succeed
    proxy.answer_with(None)
    assert client(proxy).list_tables()["TableNames"] == TABLES["TableNames"]
    assert proxy.answered == 0
