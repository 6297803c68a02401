"""Functions and routes of a SAM template, resolved by SAM CLI's providers, with env-vars overrides as sam local does.

Using SAM CLI's providers (the code behind `sam local start-api`) means parameters, Globals, conditions and intrinsics
resolve exactly as they do there, and any function with an Api event is served: there is no second route table. A
function with no Api event (a scheduled one, or one a table's stream runs) is loaded but has no route: it runs when
invoked, and the dev server delivers a table's stream to the functions it runs (devserver/streams.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider
from samcli.local.lambdafn.env_vars import EnvironmentVariables

from devserver.api_keys import key_resources, key_variables, local_key_id
from devserver.intrinsics import TemplateValues
from devserver.tables import TableSpec, table_specs, table_variables
from devserver.throttling import ThrottleSpec, throttle_specs


@dataclass(frozen=True)
class StreamSource:
    """A DynamoDB event of a function: the table whose stream runs it, and its event source mapping's settings."""

    table: str  # the table's logical id
    batch_size: int = 100
    bisect_on_error: bool = False
    maximum_retries: int = -1  # -1: until the record expires, as Lambda's default
    filters: tuple[str, ...] = ()  # FilterCriteria's patterns (JSON text); none: every record


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    function_name: str
    handler: str
    code_dir: Path
    timeout_s: int
    memory_mb: int
    environment: dict[str, str]
    schedules: tuple[str, ...] = ()  # the expressions of its Schedule events: EventBridge invokes it, no route does
    streams: tuple[StreamSource, ...] = ()  # its DynamoDB events: a table's stream invokes it, no route does


@dataclass(frozen=True)
class RouteSpec:
    method: str
    resource: str
    function_id: str
    auth: str = "none"  # "api_key", "iam", or "none"


@dataclass(frozen=True)
class Preflight:
    """API Gateway's own answer to a CORS preflight (a mock integration on OPTIONS)."""

    status: int
    headers: dict[str, str]


@dataclass(frozen=True)
class GatewayResponse:
    """One of API Gateway's own answers as the template shapes it: its headers, and its application/json body
    template, if any."""

    headers: dict[str, str] = field(default_factory=dict)
    body_template: str | None = None


@dataclass(frozen=True)
class Application:
    stage: str
    functions: dict[str, FunctionSpec]
    routes: list[RouteSpec]
    preflights: dict[str, Preflight] = field(default_factory=dict)
    # API Gateway's own answers as the template shapes them, by response type (x-amazon-apigateway-gateway-responses).
    gateway_responses: dict[str, GatewayResponse] = field(default_factory=dict)
    # The template's DynamoDB tables by logical id, and the variables that name one (variable -> table name).
    tables: dict[str, TableSpec] = field(default_factory=dict)
    table_variables: dict[str, str] = field(default_factory=dict)
    # The logical ids of the API keys the template creates for these parameters (AWS::ApiGateway::ApiKey).
    api_keys: tuple[str, ...] = ()
    # The stage's throttles (the REST API's MethodSettings), for these parameters.
    throttles: tuple[ThrottleSpec, ...] = ()

    @property
    def routed_functions(self) -> set[str]:
        return {route.function_id for route in self.routes}


# Local runs attach no Lambda layer, so the functions read the key with boto3 from the local SSM whatever the
# template's default: the parameter that would give them the Parameters and Secrets Extension is always none here.
LOCAL_PARAMETERS = {"ParametersSecretsExtensionLayerArn": "none"}


def load_application(
    template: Path, env_vars_file: Path | None = None, parameter_overrides: Mapping[str, str] | None = None
) -> Application:
    parameter_overrides = {**(parameter_overrides or {}), **LOCAL_PARAMETERS}
    stacks, _ = SamLocalStackProvider.get_stacks(str(template), parameter_overrides=dict(parameter_overrides))
    overrides = _read_env_vars(env_vars_file)
    template_dict = stacks[0].template_dict
    tables = table_specs(template_dict, parameter_overrides)
    named_tables = {variable: tables[table].name for variable, table in table_variables(template_dict).items()}
    api_keys = key_resources(TemplateValues(template_dict, parameter_overrides).resolved_template())
    referred_keys = {variable: key for variable, key in key_variables(template_dict).items() if key in api_keys}
    functions = {}
    for function in SamFunctionProvider(stacks).get_all():
        if not function.handler or not function.codeuri:
            continue  # image or inline functions are not served locally
        functions[function.function_id] = FunctionSpec(
            logical_id=function.function_id,
            function_name=function.functionname,
            handler=function.handler,
            code_dir=(template.parent / function.codeuri).resolve(),
            timeout_s=int(function.timeout or 3),
            memory_mb=int(function.memory or 128),
            environment=_environment(function, overrides, named_tables, referred_keys),
            schedules=_schedules(function),
            streams=_streams(function),
        )
    api = ApiProvider(stacks).api
    body = _definition_body(template_dict, parameter_overrides)
    routes = [
        RouteSpec(
            method=method.upper(),
            resource=route.path,
            function_id=route.function_name,
            auth=_route_auth(body, route.path, method),
        )
        for route in api.routes
        for method in route.methods
        if route.function_name in functions
    ]
    return Application(
        stage=api.stage_name or "Prod",
        functions=functions,
        routes=routes,
        preflights=_preflights(body),
        gateway_responses=_gateway_responses(body),
        tables=tables,
        table_variables=named_tables,
        api_keys=api_keys,
        throttles=throttle_specs(_method_settings(template_dict, parameter_overrides)),
    )


def _schedules(function: Any) -> tuple[str, ...]:
    schedules = []
    for event in (function.events or {}).values():
        properties = event.get("Properties") or {}
        if event.get("Type") == "Schedule":
            schedules.append(str(properties.get("Schedule")))
        elif event.get("Type") == "ScheduleV2":
            schedules.append(str(properties.get("ScheduleExpression")))
    return tuple(schedules)


def _streams(function: Any) -> tuple[StreamSource, ...]:
    """The function's DynamoDB events on a table of the template (`Stream: !GetAtt <table>.StreamArn`)."""
    sources = []
    for event in (function.events or {}).values():
        properties = event.get("Properties") or {}
        stream = properties.get("Stream")
        if event.get("Type") != "DynamoDB" or not isinstance(stream, dict) or "Fn::GetAtt" not in stream:
            continue
        table, _attribute = stream["Fn::GetAtt"]
        filters = (properties.get("FilterCriteria") or {}).get("Filters") or []
        sources.append(
            StreamSource(
                table=str(table),
                batch_size=int(properties.get("BatchSize", 100)),
                bisect_on_error=bool(properties.get("BisectBatchOnFunctionError", False)),
                maximum_retries=int(properties.get("MaximumRetryAttempts", -1)),
                filters=tuple(str(each["Pattern"]) for each in filters),
            )
        )
    return tuple(sources)


def _definition_body(template: dict[str, Any], overrides: Mapping[str, str]) -> dict[str, Any]:
    """The REST API's OpenAPI definition with intrinsics resolved for these parameters ({} if it has none)."""
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"):
            properties = resource.get("Properties", {})
            body = properties.get("DefinitionBody") or properties.get("Body")
            if isinstance(body, dict):
                resolved: dict[str, Any] = TemplateValues(template, overrides).value(body)
                return resolved
    return {}


def _method_settings(template: dict[str, Any], overrides: Mapping[str, str]) -> list[dict[str, Any]]:
    """The REST API's stage MethodSettings with intrinsics resolved for these parameters ([] if it has none)."""
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Api":
            settings = resource.get("Properties", {}).get("MethodSettings") or []
            resolved: list[dict[str, Any]] = TemplateValues(template, overrides).value(settings)
            return resolved
    return []


def _route_auth(body: dict[str, Any], path: str, method: str) -> str:
    operation = body.get("paths", {}).get(path, {}).get(method.lower(), {})
    requirement: dict[str, Any] = next(iter(operation.get("security") or [{}]), {})
    schemes = body.get("components", {}).get("securitySchemes", {}) or body.get("securityDefinitions", {})
    for name in requirement:
        scheme = schemes.get(name, {})
        if scheme.get("x-amazon-apigateway-authtype") == "awsSigv4":
            return "iam"
        if scheme.get("type") == "apiKey" and scheme.get("name", "").lower() == "x-api-key":
            return "api_key"
    return "none"


def _preflights(body: dict[str, Any]) -> dict[str, Preflight]:
    preflights = {}
    for path, operations in body.get("paths", {}).items():
        integration = operations.get("options", {}).get("x-amazon-apigateway-integration", {})
        if integration.get("type") != "mock":
            continue
        default = integration.get("responses", {}).get("default", {})
        headers = _headers(default.get("responseParameters", {}), "method.response.header.")
        preflights[path] = Preflight(int(default.get("statusCode", 200)), headers)
    return preflights


def _gateway_responses(body: dict[str, Any]) -> dict[str, GatewayResponse]:
    return {
        response_type: GatewayResponse(
            headers=_headers(spec.get("responseParameters", {}), "gatewayresponse.header."),
            body_template=(spec.get("responseTemplates") or {}).get("application/json"),
        )
        for response_type, spec in body.get("x-amazon-apigateway-gateway-responses", {}).items()
    }


def _headers(parameters: dict[str, str], prefix: str) -> dict[str, str]:
    """API Gateway's static header values are quoted ('*'); unquote them."""
    return {
        name.removeprefix(prefix): str(value).strip("'")
        for name, value in parameters.items()
        if name.startswith(prefix)
    }


def _read_env_vars(env_vars_file: Path | None) -> dict[str, Any]:
    if env_vars_file is None or not env_vars_file.exists():
        return {}
    data: dict[str, Any] = json.loads(env_vars_file.read_text(encoding="utf-8"))
    return data


def _environment(
    function: Any, overrides: dict[str, Any], named_tables: dict[str, str], referred_keys: dict[str, str]
) -> dict[str, str]:
    """Template variables, then the shell's value, then env-vars' `Parameters`, then its per-function entry.

    That is sam local's precedence; like sam local, only variables the template declares can be overridden. A
    variable that is a table's Ref holds the table's name, as in AWS (SAM CLI's resolver gives the logical id); one
    that resolves to an API key's Ref holds the local key's id, as it holds the key's id in AWS.
    """
    declared = (function.environment or {}).get("Variables") or {}
    declared = {name: named_tables.get(name, value) for name, value in declared.items()}
    declared = {
        name: local_key_id(value) if referred_keys.get(name) == value else value for name, value in declared.items()
    }
    function_overrides = {**overrides.get("Parameters", {}), **overrides.get(function.function_id, {})}
    resolved = EnvironmentVariables(
        variables=declared, shell_env_values=dict(os.environ), override_values=function_overrides
    ).resolve()
    # resolve() adds AWS_* defaults of its own (fake credentials, region); the runtime sets those itself.
    return {name: str(value) for name, value in resolved.items() if name in declared}
