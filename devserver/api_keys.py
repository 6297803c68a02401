"""The stage's API keys as `make dev` gives them (gateway_auth.key_of finds the one a request carries).

API Gateway lets a request through a method that requires a key when the key belongs to any usage plan of the stage,
and tells the function which key it was (`requestContext.identity.apiKeyId`). The template's AdminAuth=API_KEY puts
a second key on the stage, so locally too both keys pass the gateway on every method that needs a key, and the admin
functions tell them apart by id: each local key has a fixed id, and a function variable that refers to the key
(`!Ref AdminApiKey`) holds that id, as it holds the key's real id in AWS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

API_KEY_TYPE = "AWS::ApiGateway::ApiKey"
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
ADMIN_KEY_RESOURCE = "AdminApiKey"  # the template's admin key (AdminAuth=API_KEY); any other key is the write key
DEFAULT_API_KEY = "local-dev-key"
DEFAULT_ADMIN_KEY = "local-admin-key"


@dataclass(frozen=True)
class StageKey:
    """One API key of the local stage."""

    key_id: str  # what API Gateway puts in requestContext.identity.apiKeyId, and a `!Ref` of the key resolves to
    value: str  # what clients send in x-api-key
    admin: bool = False


def local_key_id(logical_id: str) -> str:
    """A fixed, readable id per key resource: WriteApiKey -> local-write-key-id, AdminApiKey -> local-admin-key-id."""
    stem = re.sub(r"(Api)?Key$", "", logical_id)
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", stem).lower()
    return f"local-{words or 'api'}-key-id"


def stage_keys(key_resources: Iterable[str], api_key: str, admin_key: str) -> list[StageKey]:
    """The keys of the stage: one per key resource the template creates for these parameters, the admin key's value
    for the admin key and `api_key` for any other. A template that declares none (a sample app protecting a method
    with a key) gets one key, `api_key`."""
    keys = [
        StageKey(local_key_id(logical_id), admin_key, admin=True)
        if logical_id == ADMIN_KEY_RESOURCE
        else StageKey(local_key_id(logical_id), api_key)
        for logical_id in key_resources
    ]
    return keys or [StageKey(local_key_id(""), api_key)]


def key_resources(resolved_template: Mapping[str, Any]) -> tuple[str, ...]:
    """The logical ids of the API keys a template creates (conditions already resolved)."""
    return tuple(
        logical_id
        for logical_id, resource in resolved_template.get("Resources", {}).items()
        if resource.get("Type") == API_KEY_TYPE
    )


def key_variables(template: Mapping[str, Any]) -> dict[str, str]:
    """The functions' environment variables that refer to an API key (`!Ref`, possibly inside `!If`): variable ->
    logical id of the key."""
    resources = template.get("Resources", {})
    keys = {logical_id for logical_id, resource in resources.items() if resource.get("Type") == API_KEY_TYPE}
    globals_variables = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    declared = [globals_variables] + [
        resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        for resource in resources.values()
        if resource.get("Type") in FUNCTION_TYPES
    ]
    found = {}
    for variables in declared:
        for name, value in (variables or {}).items():
            referred = _refs(value) & keys
            if len(referred) == 1:
                found[name] = referred.pop()
    return found


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["Ref"]} if isinstance(node.get("Ref"), str) else set()
        return own.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node))
    return set()
