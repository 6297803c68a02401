"""The durable record in template.yaml: one DynamoDB table, the least privilege the functions get on it, the scheduled
keep-alive, the record's change feed (its stream and the function it runs) and the parameters that tune retention and
rebuilds, checked offline on the stack SAM deploys."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from shared.stores.dynamodb.codec import PLAYER, SCORES
from tests.support import ROOT
from tests.support.template import ACCOUNT, REGION, load_template, resources, stack

TABLE = "LeaderboardTable"
KEEP_ALIVE = "KeepBoardsAliveFunction"
REINDEX = "ReindexFunction"
# A read may rebuild a lost board, and adopt a Momento-only board's players (a PutItem each, a DeleteItem of a copy
# whose player was removed meanwhile).
READ_ACTIONS = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
# What each function's code does to the record (src/shared/stores/dynamodb/record.py), and so all it may do.
RECORD_ACTIONS = {
    # A submission reads every period it wrote back in one BatchGetItem; an Idempotency-Key's record and a
    # Momento-only board's adoption are PutItems.
    "SubmitScoreFunction": [
        "dynamodb:BatchGetItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ],
    "GetStandingFunction": READ_ACTIONS,
    "GetLeaderboardFunction": READ_ACTIONS,
    "GetAroundFunction": READ_ACTIONS,
    "UpdateBoardSettingsFunction": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
    # Removal deletes the player's scores in every period, one DeleteItem each (it answers what it deleted).
    "RemovePlayerFunction": [
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ],
    "RemoveBoardFunction": [
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ],
    # It also purges the items of removed boards, in batches.
    "KeepBoardsAliveFunction": [
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ],
    # The feed reads each changed player and the board's registry item, and takes back a first score a full board
    # refused (a conditional DeleteItem); it never writes a score.
    "ReindexFunction": ["dynamodb:DeleteItem", "dynamodb:GetItem"],
}
FUNCTIONS = tuple(RECORD_ACTIONS)
# The board page serves its HTML from the package: it may not touch the table at all.
NO_RECORD = ("GetPageFunction",)
SCHEDULED_EVENT = ROOT / "events" / "keep-boards-alive.json"
STREAM_EVENT = ROOT / "events" / "reindex-changes.json"


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def table(template: Mapping[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = resources(template, "AWS::DynamoDB::Table")[TABLE]
    return properties


def role_statements(template: Mapping[str, Any], function: str) -> Iterator[dict[str, Any]]:
    """Every statement of the function's role written by this stack: its managed policies of ours, and inline ones."""
    role_id = resources(template, "AWS::Lambda::Function")[function]["Role"].strip("<>").removesuffix(".Arn")
    role = resources(template, "AWS::IAM::Role")[role_id]
    policies = resources(template, "AWS::IAM::ManagedPolicy")
    for arn in role["ManagedPolicyArns"]:
        if arn.startswith("<"):  # ours, by reference; AWS-managed ones are ARNs (checked in test_template.py)
            yield from policies[arn.strip("<>")]["PolicyDocument"]["Statement"]
    for inline in role.get("Policies", []):
        yield from inline["PolicyDocument"]["Statement"]


def mentions_dynamodb(statement: Mapping[str, Any]) -> bool:
    return "dynamodb" in json.dumps(statement).lower()


# --- The table -------------------------------------------------------------------------------------------------------


def test_the_record_is_one_table_keyed_by_pk_and_sk_with_no_index() -> None:
    # Given the stack for an ephemeral stage
    template = stack(StageName="feat-x")

    # When reading its DynamoDB tables
    tables = resources(template, "AWS::DynamoDB::Table")
    record = table(template)

    # Then there is exactly one, named after the stage, keyed by the string pair (pk, sk), with nothing else indexed,
    # and a stream of its changes' keys (the feed reads each item itself)
    assert list(tables) == [TABLE]
    assert record["TableName"] == "leaderboard-api-feat-x"
    assert record["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert record["AttributeDefinitions"] == [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ]
    assert not {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"} & set(record)
    assert record["StreamSpecification"] == {"StreamViewType": "KEYS_ONLY"}


def test_the_table_is_on_demand_encrypted_and_recoverable_to_any_second() -> None:
    # Given the stack for the default stage, When reading the table
    record = table(stack())

    # Then it bills per request (no capacity to plan), is encrypted at rest, and keeps point-in-time recovery
    assert record["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in record
    assert record["SSESpecification"] == {"SSEEnabled": True}
    assert record["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize(("stage", "protected"), [("prod", True), ("dev", False), ("feat-x", False)])
def test_only_prods_table_refuses_deletion(stage: str, protected: bool) -> None:
    # Given the stack of a stage
    template = stack(StageName=stage)

    # When reading how the table goes with the stack
    resource = template["Resources"][TABLE]

    # Then the stack deletes it (ephemeral stacks leave nothing, and a redeploy finds its name free), but prod's
    # deletion protection stops that at the table; a replacement would keep the old table
    assert table(template)["DeletionProtectionEnabled"] is protected
    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Delete", "Retain")


def test_the_table_name_and_the_keep_alive_function_are_outputs() -> None:
    # Given the stack for an ephemeral stage, When reading its outputs
    outputs = stack(StageName="feat-x")["Outputs"]

    # Then an operator finds the record's table and the scheduled function by name
    assert outputs["LeaderboardTableName"]["Value"] == "leaderboard-api-feat-x"
    assert outputs["KeepBoardsAliveFunctionName"]["Value"] == f"<{KEEP_ALIVE}>"
    assert outputs["ReindexFunctionName"]["Value"] == f"<{REINDEX}>"


# --- Least privilege -------------------------------------------------------------------------------------------------


def test_every_function_of_the_stack_has_its_table_actions_listed_here() -> None:
    # Given the stack, When listing its functions, Then each is one of those whose table actions are checked below
    assert set(resources(stack(), "AWS::Lambda::Function")) == set(RECORD_ACTIONS) | set(NO_RECORD)


@pytest.mark.parametrize("function", NO_RECORD)
def test_the_board_page_may_not_touch_the_table(function: str) -> None:
    assert not [s for s in role_statements(stack(), function) if mentions_dynamodb(s)]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_may_do_exactly_what_its_code_does_to_the_table(function: str) -> None:
    # Given the stack for the default stage
    template = stack()

    # When collecting what the function's role allows on DynamoDB
    record_statements = [s for s in role_statements(template, function) if mentions_dynamodb(s)]

    # Then it is one statement: exactly the item actions its code uses, on exactly the table (no wildcard, no
    # index, no other table), unconditionally allowed
    assert len(record_statements) == 1, record_statements
    (statement,) = record_statements
    assert statement["Effect"] == "Allow"
    assert not {"NotAction", "NotResource"} & set(statement)
    assert sorted(as_list(statement["Action"])) == RECORD_ACTIONS[function]
    assert as_list(statement["Resource"]) == [f"<{TABLE}.Arn>"]


def test_no_other_statement_of_the_stack_touches_dynamodb() -> None:
    # Given every IAM statement the stack writes
    template = stack()
    written = [
        statement
        for policy in resources(template, "AWS::IAM::ManagedPolicy").values()
        for statement in policy["PolicyDocument"]["Statement"]
    ] + [
        statement
        for role in resources(template, "AWS::IAM::Role").values()
        for inline in role.get("Policies", [])
        for statement in inline["PolicyDocument"]["Statement"]
    ]

    # When keeping those that mention DynamoDB, Then only the table policies' one statement each does
    policies = resources(template, "AWS::IAM::ManagedPolicy")
    table_policies = (
        "SubmitScoreTablePolicy",
        "ReadBoardsTablePolicy",
        "KeepBoardsAliveTablePolicy",
        "BoardSettingsTablePolicy",
        "RemovePlayerTablePolicy",
        "RemoveBoardTablePolicy",
        "ReindexTablePolicy",
    )
    touching = sorted((s for s in written if mentions_dynamodb(s)), key=lambda s: s["Sid"])
    assert touching == sorted(
        (statement for name in table_policies for statement in policies[name]["PolicyDocument"]["Statement"]),
        key=lambda s: s["Sid"],
    )


# --- Environment -----------------------------------------------------------------------------------------------------


def test_retention_and_rebuild_pace_reach_every_function() -> None:
    # Given a stack with the record's settings changed from their defaults
    template = stack(StageName="feat-x", BoardRetentionDays="30", RebuildElementsPerSecond="0")

    # When reading each function's environment
    environments = [resources(template, "AWS::Lambda::Function")[f]["Environment"]["Variables"] for f in FUNCTIONS]

    # Then every function sees the table's name, the retention and the pace, and reaches DynamoDB in AWS
    for variables in environments:
        assert variables["LEADERBOARD_TABLE_NAME"] == "leaderboard-api-feat-x"
        assert variables["BOARD_RETENTION_DAYS"] == "30"
        assert variables["REBUILD_ELEMENTS_PER_SECOND"] == "0"
        assert variables["AWS_ENDPOINT_URL_DYNAMODB"] == ""


def test_the_table_name_variable_is_the_tables_ref() -> None:
    # Given the template as written (so `sam local --env-vars` can override the variable, Globals declares it)
    variables = load_template()["Globals"]["Function"]["Environment"]["Variables"]

    # Then the name is the table's own Ref, never a second spelling of it
    assert variables["LEADERBOARD_TABLE_NAME"] == {"Ref": TABLE}
    assert variables["BOARD_RETENTION_DAYS"] == {"Ref": "BoardRetentionDays"}
    assert variables["REBUILD_ELEMENTS_PER_SECOND"] == {"Ref": "RebuildElementsPerSecond"}


def test_retention_defaults_to_forever_and_is_bounded() -> None:
    # Given the parameters, When reading their bounds
    parameters = load_template()["Parameters"]
    retention, pace = parameters["BoardRetentionDays"], parameters["RebuildElementsPerSecond"]

    # Then retention is 0 (forever) to 100 years, and a rebuild writes 50 elements a second by default (half of
    # Momento's default account limit of 100 operations a second), 0 meaning unpaced
    assert (retention["Type"], retention["Default"], retention["MinValue"], retention["MaxValue"]) == (
        "Number",
        0,
        0,
        36500,
    )
    assert (pace["Type"], pace["Default"], pace["MinValue"]) == ("Number", 50, 0)


# --- The keep-alive --------------------------------------------------------------------------------------------------


def test_the_keep_alive_runs_on_the_schedule_parameter_and_has_no_route() -> None:
    # Given a stack with its own schedule
    template = stack(StageName="feat-x", KeepAliveSchedule="rate(1 hour)")

    # When reading the EventBridge rules and what they may invoke
    rules = resources(template, "AWS::Events::Rule")
    permissions = [
        p for p in resources(template, "AWS::Lambda::Permission").values() if p["FunctionName"] == f"<{KEEP_ALIVE}>"
    ]
    function = resources(template, "AWS::Lambda::Function")[KEEP_ALIVE]
    api_uris = json.dumps(resources(template, "AWS::ApiGateway::RestApi")["LeaderboardApi"]["Body"]["paths"])

    # Then one rule, named after the stage, runs the keep-alive on that schedule, and only EventBridge may invoke it
    ((rule_id, rule),) = rules.items()
    assert rule["Name"] == "leaderboard-api-feat-x-keep-alive"
    assert rule["ScheduleExpression"] == "rate(1 hour)"
    assert rule.get("State", "ENABLED") == "ENABLED"
    assert [target["Arn"] for target in rule["Targets"]] == [f"<{KEEP_ALIVE}.Arn>"]
    assert [(p["Principal"], p["SourceArn"]) for p in permissions] == [("events.amazonaws.com", f"<{rule_id}.Arn>")]
    # And it is the keep-alive module, with minutes to walk the boards, and no API route reaches it
    assert function["FunctionName"] == "leaderboard-api-feat-x-keep-alive"
    assert function["Handler"] == "handlers.keep_boards_alive.lambda_handler"
    assert function["Timeout"] == 300
    assert KEEP_ALIVE not in api_uris


def test_the_default_schedule_is_every_six_hours() -> None:
    # Given the default stack, When reading its rule, Then it runs four times within the default 24 h board TTL
    (rule,) = resources(stack(), "AWS::Events::Rule").values()
    assert rule["ScheduleExpression"] == "rate(6 hours)"


ACCEPTED_SCHEDULES = [
    "rate(1 hour)",
    "rate(6 hours)",
    "rate(30 minutes)",
    "rate(1 day)",
    "rate(12 hours)",
    "cron(0 */6 * * ? *)",
    "cron(15 10 ? * MON-FRI *)",
]
REFUSED_SCHEDULES = [
    "",
    "6 hours",
    "every 6 hours",
    "rate(6 hour)",
    "rate(1 hours)",
    "rate(0 hours)",
    "rate(6 weeks)",
    "rate(6hours)",
    "rate(6 hours) ",
    "cron(0 * * * *)",
]


@pytest.mark.parametrize("expression", ACCEPTED_SCHEDULES)
def test_schedule_expressions_eventbridge_takes_are_accepted(expression: str) -> None:
    pattern = load_template()["Parameters"]["KeepAliveSchedule"]["AllowedPattern"]
    assert re.fullmatch(pattern, expression)


@pytest.mark.parametrize("expression", REFUSED_SCHEDULES)
def test_schedule_expressions_eventbridge_refuses_are_rejected_before_deploying(expression: str) -> None:
    # Given the KeepAliveSchedule pattern, When checking an expression EventBridge would refuse (a singular unit
    # with a plural count, five cron fields, ...), Then CloudFormation rejects it before creating anything
    pattern = load_template()["Parameters"]["KeepAliveSchedule"]["AllowedPattern"]
    assert not re.fullmatch(pattern, expression)


def test_the_sample_scheduled_event_is_what_eventbridge_sends_for_dev() -> None:
    # Given the sample event `make invoke` sends the keep-alive
    event = json.loads(SCHEDULED_EVENT.read_text(encoding="utf-8"))
    (rule,) = resources(stack(), "AWS::Events::Rule").values()

    # Then it has EventBridge's Scheduled Event fields, from the dev stack's rule
    assert set(event) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
    assert (event["version"], event["detail-type"], event["source"], event["detail"]) == (
        "0",
        "Scheduled Event",
        "aws.events",
        {},
    )
    assert (event["account"], event["region"]) == (ACCOUNT, REGION)
    assert event["resources"] == [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule['Name']}"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["time"])


# --- The record's change feed ----------------------------------------------------------------------------------------


def stream_mapping(template: Mapping[str, Any]) -> dict[str, Any]:
    (mapping,) = resources(template, "AWS::Lambda::EventSourceMapping").values()
    return mapping


def test_the_tables_stream_runs_the_reindexing_function_and_no_route_does() -> None:
    # Given the stack for an ephemeral stage
    template = stack(StageName="feat-x")

    # When reading the event source mappings and the function they run
    mapping = stream_mapping(template)
    function = resources(template, "AWS::Lambda::Function")[REINDEX]
    api_uris = json.dumps(resources(template, "AWS::ApiGateway::RestApi")["LeaderboardApi"]["Body"]["paths"])

    # Then the one mapping runs the reindexing module on the table's stream, from the changes made once it exists
    assert (mapping["EventSourceArn"], mapping["FunctionName"]) == (f"<{TABLE}.StreamArn>", f"<{REINDEX}>")
    assert mapping["StartingPosition"] == "LATEST"
    assert function["FunctionName"] == "leaderboard-api-feat-x-reindex"
    assert function["Handler"] == "handlers.reindex_changes.lambda_handler"
    assert REINDEX not in api_uris


def test_a_batch_has_time_for_the_12_second_wait_and_a_failing_one_is_halved_then_given_up() -> None:
    # Given the default stack, When reading the mapping's batching and retries and the function's timeout
    mapping = stream_mapping(stack())
    function = resources(stack(), "AWS::Lambda::Function")[REINDEX]

    # Then batches of up to 100 changes gather for a few seconds; a failing batch is retried, halved each time so a
    # change that keeps failing is isolated, a bounded number of times and no older than an hour; and the function
    # outlasts the feed's wait (12 s after a batch's newest change) with time left for the batch
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (100, 2)
    assert mapping["BisectBatchOnFunctionError"] is True
    assert (mapping["MaximumRetryAttempts"], mapping["MaximumRecordAgeInSeconds"]) == (5, 3600)
    assert function["Timeout"] >= 12 + mapping["MaximumBatchingWindowInSeconds"] + 10


def filter_matches(pattern: Any, value: Any) -> bool:
    """Lambda's event filtering, for what the template uses: nested objects, and a list of values or prefixes."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(k in value and filter_matches(p, value[k]) for k, p in pattern.items())
    return any(
        (isinstance(option, dict) and isinstance(value, str) and value.startswith(option["prefix"])) or option == value
        for option in pattern
    )


@pytest.mark.parametrize(
    ("pk", "sk", "runs"),
    [
        ("board#weekly", "player#ada", True),
        ("board#weekly#2", "player#ada", True),
        ("board#weekly@daily:2026-11-27", "player#ada", True),
        ("board#weekly@daily:2026-11-27@2", "player#ada", True),
        ("boards", "weekly", False),
        ("periods#weekly", "daily:2026-11-27", False),
        ("~connect", "~connect", False),
    ],
)
def test_only_score_items_changes_reach_the_function(pk: str, sk: str, runs: bool) -> None:
    # Given the mapping's filter, When a change of an item with these keys comes through the stream
    (only,) = stream_mapping(stack())["FilterCriteria"]["Filters"]
    record = {"eventName": "MODIFY", "dynamodb": {"Keys": {"pk": {"S": pk}, "sk": {"S": sk}}}}

    # Then Lambda invokes the function for a score item's change only (registry items cost no invocation)
    assert filter_matches(json.loads(only["Pattern"]), record) is runs


def test_the_filter_names_the_codecs_prefixes() -> None:
    # Given the mapping's filter and the record's codec (src/shared/stores/dynamodb/codec.py), which lays out the keys
    (only,) = stream_mapping(stack())["FilterCriteria"]["Filters"]
    keys = json.loads(only["Pattern"])["dynamodb"]["Keys"]

    # Then the filter's prefixes are the codec's: a new layout cannot leave the feed filtering on the old one
    assert keys == {"pk": {"S": [{"prefix": SCORES}]}, "sk": {"S": [{"prefix": PLAYER}]}}


def test_the_sample_stream_event_is_what_the_dev_tables_stream_sends() -> None:
    # Given the sample event `make invoke` sends the reindexing function, and the dev stack's mapping
    event = json.loads(STREAM_EVENT.read_text(encoding="utf-8"))
    (only,) = stream_mapping(stack())["FilterCriteria"]["Filters"]

    # Then each record is a KEYS_ONLY change of the dev table, from its stream, stamped in whole seconds, and one
    # the filter lets through
    for record in event["Records"]:
        assert (record["eventSource"], record["awsRegion"]) == ("aws:dynamodb", REGION)
        assert record["eventName"] in {"INSERT", "MODIFY", "REMOVE"}
        stream = rf"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/leaderboard-api-dev/stream/[0-9T:.-]+"
        assert re.fullmatch(stream, record["eventSourceARN"])
        change = record["dynamodb"]
        assert change["StreamViewType"] == "KEYS_ONLY"
        assert set(change) == {"ApproximateCreationDateTime", "Keys", "SequenceNumber", "SizeBytes", "StreamViewType"}
        assert isinstance(change["ApproximateCreationDateTime"], int)
        assert filter_matches(json.loads(only["Pattern"]), record)
