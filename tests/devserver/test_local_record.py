"""The record's local stand-in: the template's table in moto beside SSM, the functions pointed at it, and
`--data-dir` (`make dev DATA_DIR=...`) keeping it across restarts."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from devserver.local_aws import dynamodb_client
from devserver.local_services import LocalServices, start_local_services
from devserver.snapshot import SnapshotError, snapshot_path
from devserver.tables import table_specs, table_variables
from devserver.template import Application, load_application
from tests.support import ROOT
from tests.support.dev_server import DevServerProcess

TABLE = "leaderboard-api-dev"
MOTO = re.compile(r"moto (?P<url>http://[\d.]+:\d+)")
# A score item as the record holds it; numbers travel as DynamoDB's decimal strings and must come back exact.
ITEM = {
    "pk": {"S": "board#weekly"},
    "sk": {"S": "player#José María 🏎"},
    "score": {"N": "12345678901234567890.5"},
    "version": {"N": "3"},
    "updatedAt": {"N": "1795000000000"},
}
KEY = {"pk": ITEM["pk"], "sk": ITEM["sk"]}


@pytest.fixture(scope="module")
def app() -> Application:
    return load_application(ROOT / "template.yaml", ROOT / "events" / "env.json")


@contextmanager
def local_services(app: Application, data_dir: Path | None = None) -> Iterator[LocalServices]:
    services = start_local_services(app, data_dir=data_dir)
    try:
        yield services
    finally:
        services.stop()


def test_moto_serves_the_templates_table_and_the_functions_are_pointed_at_it(app: Application) -> None:
    with local_services(app) as services:
        # Given the local services of this template, When listing moto's tables
        dynamodb = dynamodb_client(services.moto_endpoint)
        description = dynamodb.describe_table(TableName=TABLE)["Table"]
        environment = services.function_environment()
        # Then the template's table is there, with its keys, and the functions reach it where they reach SSM
        assert TABLE in dynamodb.list_tables()["TableNames"]
        assert description["KeySchema"] == [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ]
        assert environment["AWS_ENDPOINT_URL_DYNAMODB"] == environment["AWS_ENDPOINT_URL_SSM"] == services.moto_endpoint
        assert environment["LEADERBOARD_TABLE_NAME"] == TABLE


@pytest.fixture
def threads_switching_often() -> Iterator[None]:
    """Threads of this process (the local server's among them) switch as often as the interpreter allows, so a
    request handled half before and half after another's shows up in every run instead of one in many."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("threads_switching_often")
def test_concurrent_updates_of_one_item_are_each_applied_as_in_dynamodb(app: Application) -> None:
    items, writers = 10, 50
    with local_services(app) as services:
        dynamodb = dynamodb_client(services.moto_endpoint)

        def increment(write: int) -> None:
            dynamodb.update_item(
                TableName=TABLE,
                Key={"pk": {"S": "board#race"}, "sk": {"S": f"player#{write // writers}"}},
                UpdateExpression="SET score = :score ADD version :one",
                ExpressionAttributeValues={":score": {"S": str(write)}, ":one": {"N": "1"}},
            )

        # Given 50 concurrent writers of each of 10 new items, When each adds one to the item's version
        with ThreadPoolExecutor(writers) as pool:
            list(pool.map(increment, range(items * writers)))
        # Then every item counts all 50 (moto's own threaded server loses some: two updates read the same item)
        scanned = dynamodb.scan(TableName=TABLE)["Items"]
        assert sorted(int(item["version"]["N"]) for item in scanned) == [writers] * items


def test_with_a_data_dir_the_record_survives_a_restart_exactly(app: Application, tmp_path: Path) -> None:
    # Given a record written to, with a data dir
    with local_services(app, tmp_path) as services:
        assert services.loaded_items == 0
        dynamodb_client(services.moto_endpoint).put_item(TableName=TABLE, Item=ITEM)
    # When the services stop and start again on the same data dir
    assert snapshot_path(tmp_path).is_file()
    with local_services(app, tmp_path) as services:
        # Then the item is back, every attribute exactly as written
        assert services.loaded_items == 1
        answer = dynamodb_client(services.moto_endpoint).get_item(TableName=TABLE, Key=KEY, ConsistentRead=True)
        assert answer["Item"] == ITEM


def test_more_items_than_one_batch_round_trip(app: Application, tmp_path: Path) -> None:
    items = [{**ITEM, "sk": {"S": f"player#{i:03d}"}} for i in range(60)]
    with local_services(app, tmp_path) as services:
        dynamodb = dynamodb_client(services.moto_endpoint)
        for item in items:
            dynamodb.put_item(TableName=TABLE, Item=item)
    with local_services(app, tmp_path) as services:
        assert services.loaded_items == 60
        scanned = dynamodb_client(services.moto_endpoint).scan(TableName=TABLE)["Items"]
        assert sorted(item["sk"]["S"] for item in scanned) == [item["sk"]["S"] for item in items]


def test_a_snapshot_keeps_the_tables_this_run_does_not_serve(app: Application, tmp_path: Path) -> None:
    # Given a snapshot that also holds another stage's table
    other = {"leaderboard-api-feat-x": [ITEM]}
    snapshot_path(tmp_path).write_text(json.dumps({"format": 1, "tables": other}), encoding="utf-8")
    # When dev's services run on it and stop
    with local_services(app, tmp_path) as services:
        assert services.loaded_items == 0
        # (nothing the template lacks is created)
        assert "leaderboard-api-feat-x" not in dynamodb_client(services.moto_endpoint).list_tables()["TableNames"]
    # Then the other table's items are still in the snapshot, beside dev's (empty) table
    saved = json.loads(snapshot_path(tmp_path).read_text(encoding="utf-8"))["tables"]
    assert saved == {**other, TABLE: []}


@pytest.mark.parametrize("content", ["not json", '{"tables": []}', "[]"], ids=["not-json", "no-format", "array"])
def test_a_snapshot_it_cannot_read_stops_the_start_and_is_left_alone(
    app: Application, tmp_path: Path, content: str
) -> None:
    snapshot_path(tmp_path).write_text(content, encoding="utf-8")
    with pytest.raises(SnapshotError, match=re.escape(str(snapshot_path(tmp_path)))):
        start_local_services(app, data_dir=tmp_path)
    assert snapshot_path(tmp_path).read_text(encoding="utf-8") == content


def test_without_a_data_dir_nothing_is_written(
    app: Application, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with local_services(app) as services:
        dynamodb_client(services.moto_endpoint).put_item(TableName=TABLE, Item=ITEM)
        assert services.save_record() == {}
    assert list(tmp_path.iterdir()) == []


def test_make_dev_with_a_data_dir_keeps_the_record_across_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with (tmp_path / "dev-server.log").open("w", encoding="utf-8") as log:
        # Given make dev DATA_DIR=..., with an item in its record
        server = DevServerProcess("--no-reload", "--lambda-port", "0", "--data-dir", str(data_dir), log=log)
        moto = next(match["url"] for line in server.banner if (match := MOTO.search(line)))
        assert any("0 item(s) loaded" in line for line in server.banner)
        dynamodb_client(moto).put_item(TableName=TABLE, Item=ITEM)
        # When it is stopped as Ctrl-C or a supervisor would, and started again
        assert server.stop() == 0
        assert snapshot_path(data_dir).is_file()
        server = DevServerProcess("--no-reload", "--lambda-port", "0", "--data-dir", str(data_dir), log=log)
        try:
            # Then its banner says the record was loaded, and the item is in the new moto
            moto = next(match["url"] for line in server.banner if (match := MOTO.search(line)))
            assert any("1 item(s) loaded" in line for line in server.banner)
            assert dynamodb_client(moto).get_item(TableName=TABLE, Key=KEY)["Item"] == ITEM
        finally:
            server.stop()


def test_an_unnamed_table_is_named_after_its_logical_id_and_refs_follow_it() -> None:
    # Given a template whose table has no TableName (CloudFormation would make one up), referenced by one function
    template = {
        "Resources": {
            "Scores": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "BillingMode": "PAY_PER_REQUEST",
                    "SSESpecification": {"SSEEnabled": True},
                },
            },
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Environment": {"Variables": {"SCORES": {"Ref": "Scores"}, "OTHER": "x"}}},
            },
        }
    }
    # When reading its tables, Then the local table takes the logical id, without what has no local meaning
    (spec,) = table_specs(template).values()
    assert spec.name == "Scores"
    assert "SSESpecification" not in spec.create_request
    assert table_variables(template) == {"SCORES": "Scores"}
