"""What a deployer or a local run gets from template.yaml, samconfig.toml and events/, checked offline, no AWS."""

from __future__ import annotations

import ast
import base64
import binascii
import json
import os
import re
import subprocess
import sys
import tomllib
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from shared.platform.config import (
    DEFAULT_MOMENTO_TIMEOUT_MS,
    MAX_MOMENTO_TIMEOUT_MS,
    MAX_READ_CACHE_SECONDS,
    MIN_MOMENTO_TIMEOUT_MS,
)
from tests.support import ROOT
from tests.support.template import (
    ACCOUNT,
    AWS_MANAGED_POLICIES,
    REGION,
    TEMPLATE,
    Route,
    handlers,
    load_template,
    resources,
    routes,
    stack,
)

SAMCONFIG = ROOT / "samconfig.toml"
EVENTS = ROOT / "events"
ENV_JSON = EVENTS / "env.json"
SCHEDULED_EVENT = EVENTS / "keep-boards-alive.json"  # EventBridge's, not API Gateway's: checked in test_record.py
STREAM_EVENT = EVENTS / "reindex-changes.json"  # the table stream's, checked in test_record.py too
SAMPLE_EVENTS = sorted(path for path in EVENTS.glob("*.json") if path not in (ENV_JSON, SCHEDULED_EVENT, STREAM_EVENT))
TOOLS = Path(sys.executable).parent  # cfn-lint and sam are installed beside the interpreter running the tests

KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# Each resource type this template names, and the property that holds its name.
NAME_PROPERTIES = {
    "AWS::ApiGateway::RestApi": "Name",
    "AWS::ApiGateway::Stage": "StageName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Events::Rule": "Name",
}


# The routes and functions as template.yaml declares them (its functions' Api events); the tests below check what the
# stack makes of them. Two functions have no route: EventBridge runs one on a schedule, the table's stream the other.
ROUTES = routes()
KEEP_ALIVE = "KeepBoardsAliveFunction"
REINDEX = "ReindexFunction"
# What SAM attaches to the role of a function a DynamoDB stream runs: the stream reads of its event source mapping.
STREAM_READER = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"
FUNCTIONS = list(handlers())


def environment(template: Mapping[str, Any], function: str = "SubmitScoreFunction") -> dict[str, str]:
    variables: dict[str, str] = resources(template, "AWS::Lambda::Function")[function]["Environment"]["Variables"]
    return variables


def statements(template: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every IAM statement the stack itself writes (not the AWS-managed policies it attaches by ARN)."""
    for policy in resources(template, "AWS::IAM::ManagedPolicy").values():
        yield from policy["PolicyDocument"]["Statement"]
    for role in resources(template, "AWS::IAM::Role").values():
        yield from role["AssumeRolePolicyDocument"]["Statement"]
        for inline in role.get("Policies", []):
            yield from inline["PolicyDocument"]["Statement"]


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def key_statements(template: Mapping[str, Any]) -> list[dict[str, Any]]:
    policy = resources(template, "AWS::IAM::ManagedPolicy")["MomentoApiKeyReadPolicy"]
    found: list[dict[str, Any]] = policy["PolicyDocument"]["Statement"]
    return found


# --- Functions and routes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.function)
def test_each_route_invokes_its_own_handler(route: Route) -> None:
    # Given the stack for the default stage
    template = stack()

    # When API Gateway receives a request on the route
    operation = resources(template, "AWS::ApiGateway::RestApi")["LeaderboardApi"]["Body"]["paths"][route.path][
        route.method.lower()
    ]
    integration = operation["x-amazon-apigateway-integration"]

    # Then it proxies the request to the route's own function, which runs the route's handler
    assert integration["type"] == "aws_proxy"
    assert f"/functions/<{route.function}.Arn>/invocations" in integration["uri"]
    assert resources(template, "AWS::Lambda::Function")[route.function]["Handler"] == route.handler


def test_the_api_definition_has_exactly_the_functions_routes() -> None:
    # Given the stack for the default stage
    template = stack()

    # When listing the operations of the REST API (besides the CORS preflights, which API Gateway answers itself)
    paths = resources(template, "AWS::ApiGateway::RestApi")["LeaderboardApi"]["Body"]["paths"]
    operations = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    preflights = {(method, path) for method, path in operations if method == "OPTIONS"}

    # Then they are the routes of the functions' Api events, one function per route (the only other functions are
    # the scheduled keep-alive and the stream's reindexing), and every path has a preflight
    assert operations - preflights == {(route.method, route.path) for route in ROUTES}
    assert len({route.function for route in ROUTES}) == len(ROUTES)
    assert set(FUNCTIONS) - {route.function for route in ROUTES} == {KEEP_ALIVE, REINDEX}
    assert preflights == {("OPTIONS", path) for path in paths}
    assert set(resources(template, "AWS::Lambda::Function")) == set(FUNCTIONS)


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_every_function_runs_python_313_on_arm64_traced(function_id: str) -> None:
    # Given the stack for the default stage
    template = stack()

    # When reading the function's runtime settings
    function = resources(template, "AWS::Lambda::Function")[function_id]

    # Then it gets the shared settings of Globals (the scheduled keep-alive, which no client waits for, gets minutes;
    # the stream's reindexing, which waits out 12 s per batch and is billed for it, half a minute and less memory)
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["MemorySize"] == (256 if function_id == REINDEX else 1024)
    assert function["Timeout"] == {KEEP_ALIVE: 300, REINDEX: 30}.get(function_id, 10)
    assert function["TracingConfig"] == {"Mode": "Active"}


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_every_function_logs_to_its_own_log_group_kept_30_days(function_id: str) -> None:
    # Given the stack for an ephemeral stage
    template = stack(StageName="feat-x")
    function = resources(template, "AWS::Lambda::Function")[function_id]

    # When following the function's logging configuration to its log group
    logical_id = function["LoggingConfig"]["LogGroup"].strip("<>")
    log_group = resources(template, "AWS::Logs::LogGroup")[logical_id]
    others = [
        log_groups["LogGroupName"]
        for other, log_groups in resources(template, "AWS::Logs::LogGroup").items()
        if other != logical_id
    ]

    # Then the function is named for the stage, and its group, its own, has Lambda's conventional name for the
    # function and a 30-day retention
    assert function["FunctionName"].startswith("leaderboard-api-feat-x-")
    assert log_group["LogGroupName"] == f"/aws/lambda/{function['FunctionName']}"
    assert log_group["LogGroupName"] not in others
    assert log_group["RetentionInDays"] == 30


def test_the_api_stage_is_the_stage_name_and_traced() -> None:
    # Given the stack for an ephemeral stage
    template = stack(StageName="feat-x")

    # When listing the API's stages
    stages = resources(template, "AWS::ApiGateway::Stage")

    # Then there is exactly one (no stray "Stage" stage), named after the stage, with X-Ray tracing
    assert [stage["StageName"] for stage in stages.values()] == ["feat-x"]
    assert all(stage["TracingEnabled"] is True for stage in stages.values())
    assert all(
        "StageName" not in deployment for deployment in resources(template, "AWS::ApiGateway::Deployment").values()
    )


def test_the_api_url_output_points_at_the_stage() -> None:
    # Given the stack for an ephemeral stage
    template = stack(StageName="feat-x")

    # When reading its outputs
    outputs = template["Outputs"]

    # Then ApiUrl is the stage's base URL, and no output is exported (stacks of several stages never clash)
    assert outputs["ApiUrl"]["Value"] == f"https://<LeaderboardApi>.execute-api.{REGION}.amazonaws.com/feat-x/"
    assert all("Export" not in output for output in outputs.values())


# --- Names -----------------------------------------------------------------------------------------------------------


def named_resources(template: Mapping[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for resource_type, name_property in NAME_PROPERTIES.items():
        for logical_id, properties in resources(template, resource_type).items():
            names[logical_id] = properties[name_property]
    return names


def test_every_named_resource_carries_the_stage_name() -> None:
    # Given the stacks of two stages
    dev, feature = stack(StageName="dev"), stack(StageName="feat-x")

    # When collecting the names they give their resources
    dev_names, feature_names = named_resources(dev), named_resources(feature)

    # Then every name includes its stage, all resource types are named, and the two stages share no name
    assert {resource["Type"] for resource in feature["Resources"].values()} >= set(NAME_PROPERTIES)
    # (API, stage, 10 functions, 8 policies (the key, and one per kind of table use), 10 log groups, the table, the
    # keep-alive's schedule rule)
    assert len(feature_names) == 1 + 1 + 10 + 8 + 10 + 1 + 1
    assert all("feat-x" in name for name in feature_names.values()), feature_names
    assert all("dev" in name for name in dev_names.values()), dev_names
    assert not set(dev_names.values()) & set(feature_names.values())


def test_the_longest_allowed_stage_name_fits_every_name_limit() -> None:
    # Given the longest stage name the StageName pattern accepts
    pattern = load_template()["Parameters"]["StageName"]["AllowedPattern"]
    longest = "a" + "b" * 31
    assert re.fullmatch(pattern, longest)
    assert not re.fullmatch(pattern, longest + "c")

    # When deploying a stack for it
    template = stack(StageName=longest)

    # Then each name stays within its service's limit
    assert len(f"leaderboard-api-{longest}") <= 128  # the stack name
    for name in (function["FunctionName"] for function in resources(template, "AWS::Lambda::Function").values()):
        assert len(name) <= 64, name
    for policy in resources(template, "AWS::IAM::ManagedPolicy").values():
        assert len(policy["ManagedPolicyName"]) <= 128
    for log_group in resources(template, "AWS::Logs::LogGroup").values():
        assert len(log_group["LogGroupName"]) <= 512
    for table in resources(template, "AWS::DynamoDB::Table").values():
        assert len(table["TableName"]) <= 255
    for rule in resources(template, "AWS::Events::Rule").values():
        assert len(rule["Name"]) <= 64


@pytest.mark.parametrize("stage", ["dev", "prod", "feat-x", "pr-123", "a"])
def test_stage_names_people_use_are_accepted(stage: str) -> None:
    # Given the StageName pattern
    pattern = load_template()["Parameters"]["StageName"]["AllowedPattern"]

    # When checking a usual stage name, Then CloudFormation accepts it
    assert re.fullmatch(pattern, stage)


@pytest.mark.parametrize("stage", ["", "Dev", "1dev", "feat_x", "feat/x", "feat x"])
def test_stage_names_that_would_break_a_resource_name_are_rejected(stage: str) -> None:
    # Given the StageName pattern
    pattern = load_template()["Parameters"]["StageName"]["AllowedPattern"]

    # When checking a name with upper case, a leading digit or a character some resource names refuse
    # Then CloudFormation rejects it before creating anything
    assert not re.fullmatch(pattern, stage)


# --- Least privilege -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "key_stage"),
    [
        ({}, "dev"),
        ({"StageName": "qa"}, "qa"),
        ({"StageName": "feat-x", "SsmStageName": "dev"}, "dev"),
    ],
    ids=["default", "own-key", "ephemeral-reads-dev-key"],
)
def test_functions_read_exactly_the_key_parameter_they_are_allowed_to(
    overrides: dict[str, str], key_stage: str
) -> None:
    # Given a stack, possibly reading another stage's key
    template = stack(**overrides)

    # When comparing the parameter the code reads with what the policy allows
    parameter_name = f"/leaderboard-api/{key_stage}/momento-api-key"
    (read,) = key_statements(template)

    # Then both name the same single parameter
    assert read["Effect"] == "Allow"
    assert as_list(read["Action"]) == ["ssm:GetParameter"]
    assert read["Resource"] == f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{parameter_name}"
    for function_id in FUNCTIONS:
        assert environment(template, function_id)["MOMENTO_API_KEY_PARAM_NAME"] == parameter_name


@pytest.mark.parametrize("overrides", [{}, {"MomentoApiKeyKmsKeyArn": KEY_ARN}], ids=["aws-managed-key", "own-key"])
def test_no_statement_of_ours_grants_a_wildcard(overrides: dict[str, str]) -> None:
    # Given a stack, with or without a customer-managed key
    template = stack(**overrides)

    # When reading every IAM statement the stack writes
    written = list(statements(template))

    # Then no action or resource is a wildcard, and no statement inverts its scope with NotAction / NotResource
    assert written
    for statement in written:
        assert not {"NotAction", "NotResource"} & set(statement)
        for value in as_list(statement.get("Action", [])) + as_list(statement.get("Resource", [])):
            assert "*" not in value, statement


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_each_role_holds_only_logging_tracing_and_the_key_and_table_policies(function_id: str) -> None:
    # Given the stack for the default stage
    template = stack()
    function = resources(template, "AWS::Lambda::Function")[function_id]

    # When following the function to its execution role
    role = resources(template, "AWS::IAM::Role")[function["Role"].strip("<>").removesuffix(".Arn")]

    # Then it is assumable by Lambda only and carries the two AWS-managed policies plus our two, nothing inline (and
    # the function the table's stream runs, the stream reads SAM attaches for its event source mapping)
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}}
    ]
    # The board page reads nothing: no key, no table.
    if function_id == "GetPageFunction":
        assert sorted(role["ManagedPolicyArns"]) == sorted(AWS_MANAGED_POLICIES.values())
        assert not role.get("Policies")
        return
    table_policy = {
        "SubmitScoreFunction": "SubmitScoreTablePolicy",
        "GetStandingFunction": "ReadBoardsTablePolicy",
        "GetLeaderboardFunction": "ReadBoardsTablePolicy",
        "GetAroundFunction": "ReadBoardsTablePolicy",
        "UpdateBoardSettingsFunction": "BoardSettingsTablePolicy",
        "RemoveBoardFunction": "RemoveBoardTablePolicy",
        "RemovePlayerFunction": "RemovePlayerTablePolicy",
        "KeepBoardsAliveFunction": "KeepBoardsAliveTablePolicy",
        "ReindexFunction": "ReindexTablePolicy",
    }[function_id]
    ours = ["<MomentoApiKeyReadPolicy>", f"<{table_policy}>"]
    stream = [STREAM_READER] if function_id == REINDEX else []
    assert sorted(role["ManagedPolicyArns"]) == sorted([*AWS_MANAGED_POLICIES.values(), *ours, *stream])
    assert not role.get("Policies")


def test_the_aws_managed_ssm_key_needs_no_kms_statement() -> None:
    # Given the default stack, whose parameter is encrypted with aws/ssm
    template = stack()

    # When reading the key policy, Then nothing in it mentions KMS
    assert not [statement for statement in statements(template) if "kms:" in json.dumps(statement)]


def test_a_customer_managed_key_decrypts_only_through_ssm() -> None:
    # Given a stack whose parameter is encrypted with a customer-managed key
    template = stack(MomentoApiKeyKmsKeyArn=KEY_ARN)

    # When reading the key policy
    kms = [statement for statement in key_statements(template) if "kms:" in json.dumps(statement)]

    # Then the functions may decrypt with exactly that key, and only in requests SSM makes for them
    assert kms == [
        {
            "Sid": "DecryptMomentoApiKeyThroughSsm",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": KEY_ARN,
            "Condition": {"StringEquals": {"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}},
        }
    ]


@pytest.mark.parametrize("value", ["arn:aws:kms:us-east-1:123456789012:alias/aws/ssm", "*", "1234abcd"])
def test_the_key_parameter_accepts_only_a_key_arn(value: str) -> None:
    # Given the MomentoApiKeyKmsKeyArn pattern
    pattern = load_template()["Parameters"]["MomentoApiKeyKmsKeyArn"]["AllowedPattern"]

    # When checking an alias, a wildcard or a bare key id, Then CloudFormation rejects it (kms:Decrypt needs a key ARN)
    assert not re.fullmatch(pattern, value)
    assert re.fullmatch(pattern, KEY_ARN)
    assert re.fullmatch(pattern, "")


# --- Environment -----------------------------------------------------------------------------------------------------


def test_the_functions_get_the_configuration_the_code_reads() -> None:
    # Given the stack for the default stage
    template = stack()

    # When reading each function's environment
    environments = [environment(template, function_id) for function_id in FUNCTIONS]

    # Then all share exactly these variables (the three local endpoints are empty in AWS, so boto3 and the store use
    # the real services; us-east-1 has the extension layer, so the key is read through it, its own cache off), and
    # the admin routes' functions one more: the admin key's id, empty under AdminAuth=IAM
    expected = {
        "MOMENTO_API_KEY_PARAM_NAME": "/leaderboard-api/dev/momento-api-key",
        "MOMENTO_CACHE_NAME": "leaderboard",
        "MOMENTO_ENDPOINT": "",
        "MOMENTO_LOCAL_ADDRESS": "",
        "AWS_ENDPOINT_URL_SSM": "",
        "AWS_ENDPOINT_URL_DYNAMODB": "",
        "LEADERBOARD_TABLE_NAME": "leaderboard-api-dev",  # the table's Ref is its name
        "LEADERBOARD_TTL_SECONDS": "86400",
        "BOARD_RETENTION_DAYS": "0",
        "REBUILD_ELEMENTS_PER_SECOND": "50",
        "POWERTOOLS_SERVICE_NAME": "leaderboard-api",
        "POWERTOOLS_LOG_LEVEL": "DEBUG",
        "POWERTOOLS_METRICS_NAMESPACE": "leaderboard-api",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "CORS_ALLOW_ORIGIN": "*",
        "READ_CACHE_SECONDS": "2",
        "MOMENTO_TIMEOUT_MS": "1100",
        "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "2773",
        "SSM_PARAMETER_STORE_TTL": "0",
    }
    admin = {"UpdateBoardSettingsFunction", "RemoveBoardFunction", "RemovePlayerFunction"}
    assert environments == [
        expected | ({"ADMIN_API_KEY_ID": ""} if function_id in admin else {}) for function_id in FUNCTIONS
    ]


def test_parameters_reach_the_functions() -> None:
    # Given a stack with every setting changed from its default
    template = stack(
        StageName="feat-x",
        MomentoCacheName="scores",
        MomentoEndpoint="cell-us-east-1-1.prod.a.momentohq.com",
        LeaderboardTtlSeconds="3600",
    )

    # When reading a function's environment
    variables = environment(template)

    # Then the code sees each value
    assert variables["MOMENTO_API_KEY_PARAM_NAME"] == "/leaderboard-api/feat-x/momento-api-key"
    assert variables["MOMENTO_CACHE_NAME"] == "scores"
    assert variables["MOMENTO_ENDPOINT"] == "cell-us-east-1-1.prod.a.momentohq.com"
    assert variables["LEADERBOARD_TTL_SECONDS"] == "3600"


@pytest.mark.parametrize("seconds", ["0", "2", "300"])
def test_the_page_cache_window_reaches_every_function(seconds: str) -> None:
    # Given a stack with ReadCacheSeconds set (0 turns the page cache off)
    template = stack(ReadCacheSeconds=seconds)

    # When reading the functions' environment, Then each reads the same window (the read routes keep pages for it)
    assert {environment(template, function_id)["READ_CACHE_SECONDS"] for function_id in FUNCTIONS} == {seconds}


def test_the_page_cache_window_is_2_seconds_by_default_and_bounded_as_the_code_bounds_it() -> None:
    # Given the parameter, When reading its bounds
    window = load_template()["Parameters"]["ReadCacheSeconds"]

    # Then a stack keeps pages 2 s unless told otherwise, and CloudFormation refuses what the code would refuse
    assert (window["Type"], window["Default"], window["MinValue"]) == ("Number", 2, 0)
    assert window["MaxValue"] == MAX_READ_CACHE_SECONDS


def test_momentos_deadline_is_the_sdks_lambda_default_and_bounded_as_the_code_bounds_it() -> None:
    from momento.config import Configurations  # noqa: PLC0415 - only this test needs the SDK

    lambda_deadline = Configurations.Lambda.latest().get_transport_strategy().get_grpc_configuration().get_deadline()
    assert lambda_deadline.total_seconds() * 1000 == DEFAULT_MOMENTO_TIMEOUT_MS  # the SDK's Lambda default
    deadline = load_template()["Parameters"]["MomentoTimeoutMs"]
    assert (deadline["Type"], deadline["Default"]) == ("Number", DEFAULT_MOMENTO_TIMEOUT_MS)
    assert (deadline["MinValue"], deadline["MaxValue"]) == (MIN_MOMENTO_TIMEOUT_MS, MAX_MOMENTO_TIMEOUT_MS)
    assert {
        environment(stack(MomentoTimeoutMs="2000"), function_id)["MOMENTO_TIMEOUT_MS"] for function_id in FUNCTIONS
    } == {"2000"}


def test_the_ttl_cannot_exceed_momentos_24_hour_item_limit() -> None:
    # Given the TTL parameter
    ttl = load_template()["Parameters"]["LeaderboardTtlSeconds"]

    # When reading its bounds, Then CloudFormation refuses anything outside 1 s - 24 h, and 24 h is the default
    assert (ttl["Type"], ttl["MinValue"], ttl["MaxValue"], ttl["Default"]) == ("Number", 1, 86400, 86400)


@pytest.mark.parametrize(("stage", "level"), [("prod", "INFO"), ("dev", "DEBUG"), ("feat-x", "DEBUG")])
def test_only_prod_logs_at_info(stage: str, level: str) -> None:
    # Given the stack of a stage
    template = stack(StageName=stage)

    # When reading the functions' log level, Then prod logs at INFO and every other stage at DEBUG
    assert {environment(template, function_id)["POWERTOOLS_LOG_LEVEL"] for function_id in FUNCTIONS} == {level}


def test_env_json_overrides_only_variables_the_template_declares() -> None:
    # Given the overrides `sam local --env-vars events/env.json` applies
    overrides = json.loads(ENV_JSON.read_text(encoding="utf-8"))
    template = stack()

    # When matching them with the variables each function declares (sam local silently ignores any other)
    # Then every override lands, and the local run points at a local Momento server and dev's key
    assert overrides["Parameters"]["MOMENTO_LOCAL_ADDRESS"]
    for scope, variables in overrides.items():
        functions = FUNCTIONS if scope == "Parameters" else [scope]
        for function in functions:
            assert set(variables) <= set(environment(template, function)), (scope, function)
            assert all(isinstance(value, str) for value in variables.values())


# --- Tools -----------------------------------------------------------------------------------------------------------


def offline_environment() -> dict[str, str]:
    """A copy of the environment that keeps AWS tools away from real accounts and telemetry."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    return env | {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "SAM_CLI_TELEMETRY": "0",
        "PATH": f"{TOOLS}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def run_offline(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, env=offline_environment(), capture_output=True, text=True, timeout=120, check=False
    )


def test_cfn_lint_finds_nothing() -> None:
    # Given the template, When cfn-lint checks it
    result = run_offline(TOOLS / "cfn-lint", TEMPLATE)

    # Then it reports no error, warning or informational finding of its default rules
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_sam_validate_with_lint_passes() -> None:
    # Given the template, When `sam validate --lint` checks it (as the deploy pipeline would)
    result = run_offline(TOOLS / "sam", "validate", "--lint", "--template-file", TEMPLATE)

    # Then it is a valid SAM template
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


def test_samconfig_deploys_dev_by_default_and_prod_on_request() -> None:
    # Given the SAM CLI configuration
    config = tomllib.loads(SAMCONFIG.read_text(encoding="utf-8"))

    # When reading what `sam deploy` and `sam deploy --config-env prod` use
    environments = {
        env: (settings["global"]["parameters"], settings["deploy"]["parameters"])
        for env, settings in config.items()
        if env != "version"
    }

    # Then each deploys its own stack and stage, without prompting, allowed to create the named IAM policy
    assert environments["default"][0]["stack_name"] == "leaderboard-api-dev"
    assert environments["default"][1]["parameter_overrides"] == "StageName=dev"
    assert environments["prod"][0]["stack_name"] == "leaderboard-api-prod"
    assert environments["prod"][1]["parameter_overrides"] == "StageName=prod"
    assert resources(stack(), "AWS::IAM::ManagedPolicy")["MomentoApiKeyReadPolicy"]["ManagedPolicyName"]
    for _, deploy in environments.values():
        assert "CAPABILITY_NAMED_IAM" in deploy["capabilities"].split()
        assert deploy["confirm_changeset"] is False
        assert deploy["resolve_s3"] is True
    assert config["default"]["validate"]["parameters"]["lint"] is True


def top_level_names(source: Path) -> set[str]:
    """Names a module binds at top level, by def or by assignment, read without importing it."""
    names: set[str] = set()
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def handler_source(handler: str) -> Path:
    """The file sam build packages for a handler path the template names (relative to CodeUri)."""
    code: Path = ROOT / load_template()["Globals"]["Function"]["CodeUri"]
    return code / (handler.rsplit(".", 1)[0].replace(".", "/") + ".py")


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_the_handler_the_template_names_exists_in_the_code(function_id: str) -> None:
    # Given the handler path the template names, relative to CodeUri
    handler = handlers()[function_id]
    entry_point = handler.rsplit(".", 1)[1]

    # When reading the module sam build packages for it
    source = handler_source(handler)

    # Then it exists and defines the entry point (otherwise Lambda fails every request with an import error)
    assert source.is_file(), source
    assert entry_point in top_level_names(source), source


# --- Sample events ---------------------------------------------------------------------------------------------------

EVENT_FIELDS: dict[str, Callable[[Any], bool]] = {
    "resource": lambda value: isinstance(value, str),
    "path": lambda value: isinstance(value, str),
    "httpMethod": lambda value: isinstance(value, str),
    "headers": lambda value: isinstance(value, dict),
    "multiValueHeaders": lambda value: isinstance(value, dict),
    "queryStringParameters": lambda value: value is None or isinstance(value, dict),
    "multiValueQueryStringParameters": lambda value: value is None or isinstance(value, dict),
    "pathParameters": lambda value: value is None or isinstance(value, dict),
    "stageVariables": lambda value: value is None or isinstance(value, dict),
    "requestContext": lambda value: isinstance(value, dict),
    "body": lambda value: value is None or isinstance(value, str),
    "isBase64Encoded": lambda value: isinstance(value, bool),
}
REQUEST_CONTEXT_FIELDS: dict[str, Callable[[Any], bool]] = {
    "accountId": lambda value: isinstance(value, str),
    "apiId": lambda value: isinstance(value, str),
    "requestId": lambda value: isinstance(value, str),
    "stage": lambda value: isinstance(value, str),
    "resourcePath": lambda value: isinstance(value, str),
    "httpMethod": lambda value: isinstance(value, str),
    "path": lambda value: isinstance(value, str),
    "requestTimeEpoch": lambda value: isinstance(value, int),
    "identity": lambda value: isinstance(value, dict) and isinstance(value.get("sourceIp"), str),
}


def load_event(path: Path) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return event


@pytest.mark.parametrize("path", SAMPLE_EVENTS, ids=lambda path: path.name)
def test_sample_event_is_a_rest_proxy_event(path: Path) -> None:
    # Given a sample event
    event = load_event(path)

    # When checking it field by field against API Gateway's REST (v1) proxy format
    bad = [name for name, valid in EVENT_FIELDS.items() if name not in event or not valid(event[name])]
    context = event["requestContext"]
    bad_context = [
        name for name, valid in REQUEST_CONTEXT_FIELDS.items() if name not in context or not valid(context[name])
    ]

    # Then every field is present with its type, and the single- and multi-value forms agree
    assert (bad, bad_context) == ([], [])
    assert event["multiValueHeaders"] == {name: [value] for name, value in event["headers"].items()}
    query = event["queryStringParameters"]
    assert event["multiValueQueryStringParameters"] == (None if query is None else {k: [v] for k, v in query.items()})


@pytest.mark.parametrize("path", SAMPLE_EVENTS, ids=lambda path: path.name)
def test_sample_event_matches_a_route_of_the_template(path: Path) -> None:
    # Given a sample event and the routes of the deployed API
    event = load_event(path)
    api_paths = resources(stack(), "AWS::ApiGateway::RestApi")["LeaderboardApi"]["Body"]["paths"]

    # When matching its resource and method, and its path against the resource's template
    segments = [segment for segment in event["resource"].split("/") if segment]
    values = [urllib.parse.unquote(segment) for segment in event["path"].split("/") if segment]
    context = event["requestContext"]

    # Then API Gateway would route it, its path parameters are the decoded path segments (literal segments such as
    # `around` are not parameters, and must be spelt as the resource spells them), and the context agrees
    assert event["httpMethod"].lower() in api_paths[event["resource"]]
    assert len(values) == len(segments)
    pairs = list(zip(segments, values, strict=True))
    assert (event["pathParameters"] or {}) == {
        segment.strip("{}"): value for segment, value in pairs if segment[0] == "{"
    }
    assert all(value == segment for segment, value in pairs if segment[0] != "{")
    assert (context["resourcePath"], context["httpMethod"]) == (event["resource"], event["httpMethod"])
    assert context["path"] == f"/{context['stage']}{event['path']}"


@pytest.mark.parametrize("path", SAMPLE_EVENTS, ids=lambda path: path.name)
def test_sample_event_body_is_json_text(path: Path) -> None:
    # Given a sample event
    event = load_event(path)
    body = event["body"]

    # When decoding its body as API Gateway delivers it
    if body is None:
        # Then a body-less request is a read or a removal
        assert event["httpMethod"] in ("GET", "DELETE")
        return
    try:
        text = base64.b64decode(body, validate=True).decode() if event["isBase64Encoded"] else body
    except (binascii.Error, UnicodeDecodeError) as error:
        pytest.fail(f"{path.name}: isBase64Encoded is true but the body is not base64 of UTF-8 text: {error}")

    # Then it is a JSON object sent as application/json
    assert isinstance(json.loads(text), dict)
    assert event["headers"]["Content-Type"] == "application/json"


def test_sample_events_cover_every_route_and_both_body_encodings() -> None:
    # Given all sample events
    events = [load_event(path) for path in SAMPLE_EVENTS]

    # When listing what they exercise
    exercised = {(event["httpMethod"], event["resource"]) for event in events}
    encodings = {event["isBase64Encoded"] for event in events if event["body"] is not None}
    names = {(event["pathParameters"] or {}).get("name", "") for event in events}

    # Then every route has an event, bodies come plain and base64, and one player name is not ASCII
    assert exercised == {(route.method, route.path) for route in ROUTES}
    assert encodings == {False, True}
    assert any(not name.isascii() for name in names)
