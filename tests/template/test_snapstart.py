"""SnapStart, a stack parameter: off by default (each stage invokes its functions' $LATEST, as before); on, every
function publishes a version Lambda snapshots, behind an alias `live` that API Gateway and the schedule invoke."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.template import handlers, load_template, resources, routes, stack

FUNCTIONS = list(handlers())
ALIAS = "live"


def resources_of(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Whole resources (attributes such as DeletionPolicy included), by logical id."""
    return {name: each for name, each in template["Resources"].items() if each["Type"] == resource_type}


def integration_uris(template: dict[str, Any]) -> dict[tuple[str, str], str]:
    paths = resources(template, "AWS::ApiGateway::RestApi")["LeaderboardApi"]["Body"]["paths"]
    return {
        (route.method, route.path): paths[route.path][route.method.lower()]["x-amazon-apigateway-integration"]["uri"]
        for route in routes()
    }


def invoked(template: dict[str, Any]) -> dict[str, set[str]]:
    """What the permissions (API Gateway's, EventBridge's), the schedule's target and the stream's event source
    mapping name, by function: the function itself, or its alias."""
    found: dict[str, set[str]] = {}
    named = [permission["FunctionName"] for permission in resources(template, "AWS::Lambda::Permission").values()]
    named += [target["Arn"] for rule in resources(template, "AWS::Events::Rule").values() for target in rule["Targets"]]
    named += [mapping["FunctionName"] for mapping in resources(template, "AWS::Lambda::EventSourceMapping").values()]
    for name in named:
        found.setdefault(name.strip("<>").split("Alias")[0].removesuffix(".Arn"), set()).add(name)
    return found


def test_the_parameter_is_off_by_default_and_takes_lambdas_two_values() -> None:
    parameter = load_template()["Parameters"]["SnapStart"]
    assert (parameter["Type"], parameter["Default"]) == ("String", "None")
    assert parameter["AllowedValues"] == ["None", "PublishedVersions"]  # SnapStart.ApplyOn's values


def test_the_runtime_supports_snapstart() -> None:
    # Lambda snapshots Python functions from python3.12 on
    runtime = load_template()["Globals"]["Function"]["Runtime"]
    found = re.fullmatch(r"python3\.(\d+)", runtime)
    assert found is not None, runtime
    assert int(found[1]) >= 12


@pytest.mark.parametrize("overrides", [{}, {"SnapStart": "None"}], ids=["default", "None"])
def test_off_the_stages_invoke_each_function_itself_and_nothing_is_published(overrides: dict[str, str]) -> None:
    # Given the stack with SnapStart off
    template = stack(**overrides)

    # Then no function snapshots or publishes a version, and no alias exists
    assert all("SnapStart" not in function for function in resources(template, "AWS::Lambda::Function").values())
    assert not resources_of(template, "AWS::Lambda::Version")
    assert not resources_of(template, "AWS::Lambda::Alias")

    # And API Gateway, the schedule and the stream invoke the functions themselves ($LATEST)
    for route in routes():
        assert integration_uris(template)[(route.method, route.path)].endswith(f"/<{route.function}.Arn>/invocations")
    scheduled = {"KeepBoardsAliveFunction": {"<KeepBoardsAliveFunction.Arn>"}}  # the rule's target names the ARN
    assert invoked(template) == {name: {f"<{name}>"} | scheduled.get(name, set()) for name in FUNCTIONS}


def test_on_every_function_is_snapshotted_and_invoked_through_its_alias() -> None:
    # Given the stack with SnapStart on
    template = stack(SnapStart="PublishedVersions")
    functions = resources(template, "AWS::Lambda::Function")
    versions = resources_of(template, "AWS::Lambda::Version")
    aliases = resources(template, "AWS::Lambda::Alias")

    # Then every function snapshots its published versions
    assert {name: function.get("SnapStart") for name, function in functions.items()} == {
        name: {"ApplyOn": "PublishedVersions"} for name in FUNCTIONS
    }

    # And has one version, published by the deploy that changes it; the one it replaces is deleted with its snapshot
    assert sorted(version["Properties"]["FunctionName"] for version in versions.values()) == sorted(
        f"<{name}>" for name in FUNCTIONS
    )
    assert {version.get("DeletionPolicy") for version in versions.values()} == {"Delete"}

    # And an alias `live` on that version
    assert set(aliases) == {f"{name}Alias{ALIAS}" for name in FUNCTIONS}
    for name in FUNCTIONS:
        alias = aliases[f"{name}Alias{ALIAS}"]
        (version,) = (id_ for id_, each in versions.items() if each["Properties"]["FunctionName"] == f"<{name}>")
        assert (alias["Name"], alias["FunctionVersion"]) == (ALIAS, f"<{version}.Version>")

    # And API Gateway invokes the alias (a qualified ARN), which its permissions name, as the schedule's target and
    # the stream's event source mapping do
    for route in routes():
        uri = integration_uris(template)[(route.method, route.path)]
        assert uri.endswith(f"/<{route.function}.Arn>:{ALIAS}/invocations"), uri
    assert invoked(template) == {name: {f"<{name}Alias{ALIAS}>"} for name in FUNCTIONS}


def test_turning_it_on_or_off_deploys_the_stage_again() -> None:
    # The stage serves the API definition of its last deployment, which SAM names by a hash of the definition: the
    # qualified URIs must give another name, or the stage would keep invoking what it invoked before
    deployments = [
        set(resources(stack(SnapStart=value), "AWS::ApiGateway::Deployment")) for value in ("None", "PublishedVersions")
    ]
    assert deployments[0] != deployments[1]
