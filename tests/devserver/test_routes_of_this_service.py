"""The dev server serves this service's template: its routes, events and environment as `sam local` would, its
scheduled function by invocation only, and its tables as the local stand-ins create them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from samcli.cli.types import CfnParameterOverridesType

from devserver.events import HttpRequest, build_event
from devserver.invoke_plan import PlanError, plan_invocations, read_event
from devserver.routing import match_route
from devserver.sam_local import SamLocal, host_architecture
from devserver.template import load_application
from tests.support import ROOT
from tests.support.template import handlers, routes

TEMPLATE = ROOT / "template.yaml"
ENV_JSON = ROOT / "events" / "env.json"
SCHEDULED_EVENT = ROOT / "events" / "keep-boards-alive.json"
STREAM_EVENT = ROOT / "events" / "reindex-changes.json"
EXTENSION_LAYER = "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:4"


def test_routes_and_handlers_come_from_the_template() -> None:
    app = load_application(ROOT / "template.yaml", ROOT / "events" / "env.json")
    # Every route of the template (its functions' Api events, as the tests read them), each to its own function
    assert {(r.method, r.resource): r.function_id for r in app.routes} == {
        (route.method, route.path): route.function for route in routes()
    }
    assert {name: spec.handler for name, spec in app.functions.items()} == handlers()
    # Each route's protection, as the template's DefinitionBody declares it for the default parameters: reads are
    # public, a write needs the API key (WriteAuth=API_KEY), the admin methods a signature (AdminAuth=IAM)
    expected = {"GET": "none", "POST": "api_key", "PUT": "iam", "DELETE": "iam"}
    assert {(r.method, r.resource): r.auth for r in app.routes} == {
        (route.method, route.path): expected[route.method] for route in routes()
    }
    submit = app.functions["SubmitScoreFunction"]
    assert submit.handler == "handlers.submit_score.lambda_handler"
    assert submit.code_dir == ROOT / "src"
    assert (submit.timeout_s, submit.memory_mb) == (10, 1024)
    assert app.stage == "dev"
    # Globals and parameter defaults resolve; env.json overrides what it names
    assert submit.environment["MOMENTO_CACHE_NAME"] == "leaderboard"
    assert submit.environment["MOMENTO_API_KEY_PARAM_NAME"] == "/leaderboard-api/dev/momento-api-key"
    assert submit.environment["MOMENTO_LOCAL_ADDRESS"] == "host.docker.internal:8080"


def test_a_request_becomes_the_event_the_sample_file_shows() -> None:
    app = load_application(ROOT / "template.yaml", ROOT / "events" / "env.json")
    sample = json.loads((ROOT / "events" / "submit-score.json").read_text(encoding="utf-8"))
    request = HttpRequest(
        method="POST",
        raw_path="/weekly/v",
        query="",
        headers=[("Content-Type", "application/json")],
        body=b'{"score": 2077}',
        source_ip="127.0.0.1",
    )
    match = match_route(app.routes, "POST", "/weekly/v")
    assert match is not None
    event = build_event(request, match, app.stage)
    for key in ("resource", "path", "httpMethod", "pathParameters", "body", "isBase64Encoded", "stageVariables"):
        assert event[key] == sample[key], key
    assert event["requestContext"]["resourcePath"] == sample["requestContext"]["resourcePath"]
    assert event["requestContext"]["stage"] == "dev"


def test_the_scheduled_function_is_loaded_with_its_schedule_and_no_route() -> None:
    app = load_application(TEMPLATE, ENV_JSON)
    keep_alive = app.functions["KeepBoardsAliveFunction"]
    assert keep_alive.handler == "handlers.keep_boards_alive.lambda_handler"
    assert keep_alive.schedules == ("rate(6 hours)",)
    assert keep_alive.timeout_s == 300
    assert "KeepBoardsAliveFunction" not in app.routed_functions
    assert app.routed_functions == set(app.functions) - {"KeepBoardsAliveFunction", "ReindexFunction"}
    assert all(not spec.schedules for name, spec in app.functions.items() if name != "KeepBoardsAliveFunction")


def test_make_invoke_sends_a_scheduled_event_to_the_scheduled_function() -> None:
    # Given the sample EventBridge event, which has no httpMethod to route it by
    app = load_application(TEMPLATE, ENV_JSON)
    event = read_event(SCHEDULED_EVENT)
    # When make invoke plans it without FN=, Then it goes to the one function with a schedule
    (invocation,) = plan_invocations(app, TEMPLATE, [(SCHEDULED_EVENT, event)])
    assert invocation.function_id == "KeepBoardsAliveFunction"


def test_the_function_the_tables_stream_runs_is_loaded_with_its_mapping_and_no_route() -> None:
    app = load_application(TEMPLATE, ENV_JSON)
    reindex = app.functions["ReindexFunction"]
    assert reindex.handler == "handlers.reindex_changes.lambda_handler"
    assert reindex.timeout_s == 30
    (source,) = reindex.streams
    assert (source.table, source.batch_size, source.bisect_on_error, source.maximum_retries) == (
        "LeaderboardTable",
        100,
        True,
        5,
    )
    assert len(source.filters) == 1
    assert all(not spec.streams for name, spec in app.functions.items() if name != "ReindexFunction")
    # and its table is made with a stream of keys, as AWS makes it
    assert app.tables["LeaderboardTable"].create_request["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "KEYS_ONLY",
    }


def test_make_invoke_sends_a_stream_event_to_the_function_the_stream_runs() -> None:
    # Given the sample DynamoDB stream event, which has no httpMethod to route it by
    app = load_application(TEMPLATE, ENV_JSON)
    event = read_event(STREAM_EVENT)
    # When make invoke plans it without FN=, Then it goes to the one function a table's stream runs
    (invocation,) = plan_invocations(app, TEMPLATE, [(STREAM_EVENT, event)])
    assert invocation.function_id == "ReindexFunction"


def test_a_stream_event_for_a_template_without_a_stream_is_one_line() -> None:
    app = load_application(ROOT / "tests" / "devserver" / "sample_app" / "template.yaml")
    with pytest.raises(PlanError, match=r"no function of .* has a stream"):
        plan_invocations(app, TEMPLATE, [(STREAM_EVENT, read_event(STREAM_EVENT))])


def test_a_scheduled_event_for_a_template_without_a_schedule_is_one_line() -> None:
    app = load_application(ROOT / "tests" / "devserver" / "sample_app" / "template.yaml")
    with pytest.raises(PlanError, match=r"no function of .* has a schedule"):
        plan_invocations(app, TEMPLATE, [(SCHEDULED_EVENT, read_event(SCHEDULED_EVENT))])


@pytest.mark.parametrize(
    ("env_vars", "overrides", "table_name"),
    [
        (ENV_JSON, {}, "leaderboard-api-dev"),  # env.json names dev's table, for sam local's containers
        (None, {}, "leaderboard-api-dev"),  # the template's Ref: the table's name, as CloudFormation gives it
        (None, {"StageName": "feat-x"}, "leaderboard-api-feat-x"),
    ],
    ids=["env-json", "template", "other-stage"],
)
def test_the_tables_come_from_the_template_and_the_functions_see_their_names(
    env_vars: Path | None, overrides: dict[str, str], table_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a shell value would win over the template's, as in sam local: other tests set one in this process)
    monkeypatch.delenv("LEADERBOARD_TABLE_NAME", raising=False)
    app = load_application(TEMPLATE, env_vars, overrides)
    (table,) = app.tables.values()
    assert table.name == table_name
    assert table.create_request["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table.create_request["BillingMode"] == "PAY_PER_REQUEST"
    assert app.table_variables == {"LEADERBOARD_TABLE_NAME": table_name}
    assert {spec.environment["LEADERBOARD_TABLE_NAME"] for spec in app.functions.values()} == {table_name}


@pytest.mark.parametrize(
    "overrides",
    [
        {},  # the template's default, auto: deployed in us-east-1 it attaches the extension layer
        {"ParametersSecretsExtensionLayerArn": EXTENSION_LAYER},
    ],
    ids=["default", "a-layer-given"],
)
def test_local_functions_read_the_key_with_boto3_whatever_the_extension_parameter(
    overrides: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a shell value would win over the template's, as in sam local: the bench and other tests set one)
    for variable in ("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "SSM_PARAMETER_STORE_TTL"):
        monkeypatch.delenv(variable, raising=False)

    # Given the functions as `make dev` and `make invoke` load them (no layer runs locally)
    app = load_application(TEMPLATE, ENV_JSON, overrides)

    # Then none is told of an extension port: each reads the key with boto3 from the local SSM
    assert {
        (spec.environment["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"], spec.environment["SSM_PARAMETER_STORE_TTL"])
        for spec in app.functions.values()
    } == {("", "")}


def test_sam_local_runs_every_command_without_the_extension() -> None:
    # Given the parameters `make sam-local` and `make sam-invoke` give sam build and every sam local command
    option, value = SamLocal()._parameters()

    # When SAM CLI reads them, Then the extension is off (its local template has no layer) and the host's
    # architecture is used
    parameters = CfnParameterOverridesType().convert((value,), None, None)
    assert option == "--parameter-overrides"
    assert parameters == {"Architecture": host_architecture(), "ParametersSecretsExtensionLayerArn": "none"}
