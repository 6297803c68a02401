"""template.yaml as tests read it: the raw YAML, the API's routes as its functions declare them, and the stack SAM
deploys with every intrinsic resolved, offline."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, NamedTuple

import pytest
import yaml  # type: ignore[import-untyped,unused-ignore]
from samtranslator.translator.transform import transform  # type: ignore[import-untyped,unused-ignore]

from devserver.intrinsics import NO_VALUE, TemplateValues
from tests.support import ROOT

TEMPLATE = ROOT / "template.yaml"
REGION = "us-east-1"
ACCOUNT = "123456789012"
# The AWS-managed policies SAM attaches to every function role (basic logging; X-Ray because Tracing is Active).
AWS_MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
}


def _intrinsic(loader: Any, tag_suffix: str, node: Any) -> dict[str, Any]:
    """`!Ref x` -> {"Ref": "x"}, `!Sub ...` -> {"Fn::Sub": ...}: CloudFormation's short forms in long form."""
    name = tag_suffix if tag_suffix in {"Ref", "Condition"} else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


# A private subclass, so the short-form tags are not registered on yaml.SafeLoader for the whole test session.
_CfnLoader: Any = type("_CfnLoader", (yaml.SafeLoader,), {})
_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template() -> dict[str, Any]:
    loader = _CfnLoader(TEMPLATE.read_text(encoding="utf-8"))
    try:
        template: dict[str, Any] = loader.get_single_data()
    finally:
        loader.dispose()
    return template


class _AwsManagedPolicies:
    """Stands in for SAM's loader, which would list AWS-managed policies through IAM."""

    def load(self) -> dict[str, str]:
        return dict(AWS_MANAGED_POLICIES)


@cache
def _translated(overrides: tuple[tuple[str, str], ...], region: str) -> dict[str, Any]:
    template = load_template()
    # `sam package` replaces the local code folder by the uploaded artifact; the transform only accepts the latter.
    template["Globals"]["Function"]["CodeUri"] = "s3://artifacts/leaderboard-api.zip"
    # The transforms in the template's order: AWS::LanguageExtensions, then SAM's.
    template["Resources"] = _conditions_chosen(template, dict(overrides), region)
    with pytest.MonkeyPatch.context() as env:
        # The transform asks boto3 for the region; keep it away from any real profile or credentials.
        env.setenv("AWS_DEFAULT_REGION", region)
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        env.delenv("AWS_PROFILE", raising=False)
        translated: dict[str, Any] = transform(template, dict(overrides), _AwsManagedPolicies())
    return translated


def _conditions_chosen(template: dict[str, Any], overrides: dict[str, str], region: str) -> dict[str, Any]:
    """The Resources as AWS::LanguageExtensions hands them to SAM, as far as this template needs: each Fn::If, its
    condition decided by the parameters, replaced by the branch it chooses (AWS::NoValue: the key or item goes). SAM
    then reads a plain AutoPublishAlias, and hashes the API definition these parameters give into its deployment."""
    values = TemplateValues(template, overrides, {"AWS::Region": region, "AWS::AccountId": ACCOUNT})

    def chosen(node: Any) -> Any:
        if isinstance(node, list):
            return [item for item in map(chosen, node) if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Fn::If"}:
            condition, when_true, when_false = node["Fn::If"]
            branch = when_true if values.condition(condition) else when_false
            return NO_VALUE if branch == {"Ref": "AWS::NoValue"} else chosen(branch)
        return {
            key: value for key, value in ((key, chosen(each)) for key, each in node.items()) if value is not NO_VALUE
        }

    resources: dict[str, Any] = chosen(template["Resources"])
    return resources


@cache
def _stack(overrides: tuple[tuple[str, str], ...], region: str) -> dict[str, Any]:
    translated = _translated(overrides, region)
    stage = dict(overrides).get("StageName", "dev")
    pseudo = {"AWS::Region": region, "AWS::AccountId": ACCOUNT, "AWS::StackName": f"leaderboard-api-{stage}"}
    return TemplateValues(translated, dict(overrides), pseudo).resolved_template()


def stack(region: str = REGION, **overrides: str) -> dict[str, Any]:
    """The CloudFormation template SAM deploys in this region for these parameter values, with every intrinsic
    resolved (the AWS::LanguageExtensions ones too)."""
    return _stack(tuple(sorted(overrides.items())), region)


def resources(template: Mapping[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


# --- The route table ----------------------------------------------------------------------------------------------


class Route(NamedTuple):
    """One route of the API: an Api event of a function in template.yaml."""

    method: str  # upper case, as API Gateway names it: GET, POST, ...
    path: str  # the resource, such as /{leaderboard}/{name}
    function: str  # the logical id of the function behind it
    handler: str  # that function's Handler: module.entry_point

    @property
    def module(self) -> str:
        """The handler's module, such as handlers.get_around."""
        return self.handler.rsplit(".", 1)[0]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@cache
def handlers() -> dict[str, str]:
    """Every function of the template (routed or scheduled), by logical id: its Handler."""
    template = load_template()
    default = template.get("Globals", {}).get("Function", {}).get("Handler")
    return {
        logical_id: resource["Properties"].get("Handler", default)
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


@cache
def routes() -> tuple[Route, ...]:
    """The API's routes, in the template's order: each Api event of a function names one."""
    found = []
    for logical_id, resource in load_template()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            if event["Type"] == "Api":
                properties = event["Properties"]
                method, path = properties["Method"].upper(), properties["Path"]
                found.append(Route(method, path, logical_id, handlers()[logical_id]))
    return tuple(found)


def route(method: str, path: str) -> Route:
    """The route API Gateway picks for a method on a resource (as an event's httpMethod and resource name them)."""
    (found,) = (each for each in routes() if (each.method, each.path) == (method.upper(), path))
    return found


def route_of(module: str) -> Route:
    """The route whose handler lives in this module, such as handlers.get_around."""
    (found,) = (each for each in routes() if each.module == module)
    return found


_LISTED_ROUTE = re.compile(r"\b([A-Z]+) (/[\w{}/.+-]*)")


def listed_routes(text: str) -> set[tuple[str, str]]:
    """The routes (method, path) a text lists as "GET /{leaderboard}", such as a gateway response's message."""
    return {(method, path) for method, path in _LISTED_ROUTE.findall(text)}
