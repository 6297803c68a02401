"""The fixtures the record's tests stand on: the functions' environment names the template's table in moto, each test
starts with it empty, and `dynamodb_proxy` puts a switchable proxy between the functions and DynamoDB, never
between the test and the record."""

from __future__ import annotations

import os

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError
from mypy_boto3_dynamodb import DynamoDBClient
from mypy_boto3_ssm import SSMClient

from devserver.local_aws import REGION
from momento_local import MomentoLocalServer
from tests.support.service import Service, start_service
from tests.support.switchable_proxy import PROVISIONED_THROUGHPUT_EXCEEDED, SwitchableProxy

ITEM_KEY = {"pk": {"S": "board#weekly"}, "sk": {"S": "player#ada"}}


def as_the_functions_reach_it() -> DynamoDBClient:
    """A client made as the functions make theirs: endpoint from AWS_ENDPOINT_URL_DYNAMODB, which boto3 reads."""
    return boto3.client("dynamodb", region_name=REGION, config=Config(retries={"total_max_attempts": 1}))


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_with_an_empty_record_in_the_templates_table(service: Service, run: int) -> None:
    # Given a test's service, When scanning its record, Then it is empty (whatever the other run wrote)
    assert os.environ["LEADERBOARD_TABLE_NAME"] == service.table_name == "leaderboard-api-test"
    assert service.dynamodb.scan(TableName=service.table_name)["Items"] == []
    # And the functions' own way of reaching DynamoDB finds the same table
    item = {**ITEM_KEY, "score": {"N": str(run)}}
    as_the_functions_reach_it().put_item(TableName=service.table_name, Item=item)
    assert service.dynamodb.get_item(TableName=service.table_name, Key=ITEM_KEY)["Item"] == item


@pytest.mark.parametrize("run", [1, 2])
def test_a_test_starting_the_functions_itself_also_starts_empty(
    service_environment: dict[str, str], momento_local: MomentoLocalServer, ssm: SSMClient, run: int
) -> None:
    service = start_service(momento_local, ssm)
    assert service.dynamodb.scan(TableName=service.table_name)["Items"] == []
    service.dynamodb.put_item(TableName=service.table_name, Item={**ITEM_KEY, "run": {"N": str(run)}})


def test_the_proxy_stands_between_the_functions_and_dynamodb_only(
    service: Service, dynamodb_proxy: SwitchableProxy
) -> None:
    # Given a service started with the proxy (the `service` fixture waits for it, whatever the argument order)
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"] == dynamodb_proxy.url
    functions_client = as_the_functions_reach_it()
    assert functions_client.scan(TableName=service.table_name)["Items"] == []
    # When the proxy throttles, Then the functions' calls get DynamoDB's throughput error
    dynamodb_proxy.answer_with(PROVISIONED_THROUGHPUT_EXCEEDED)
    with pytest.raises(functions_client.exceptions.ProvisionedThroughputExceededException):
        functions_client.get_item(TableName=service.table_name, Key=ITEM_KEY)
    assert dynamodb_proxy.answered == 1
    # And when it is down, their calls fail to connect
    dynamodb_proxy.up = False
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        functions_client.get_item(TableName=service.table_name, Key=ITEM_KEY)
    # While the test still reads the record directly
    assert service.dynamodb.scan(TableName=service.table_name)["Items"] == []
