"""AdminAuth decides who may change settings and remove boards or players: a SigV4 signature (IAM, the default) or an
admin API key of its own (API_KEY), never the write key game clients carry. Checked offline on the stack SAM deploys.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.template import load_template, resources, routes, stack

ADMIN_OPERATIONS = [("/{leaderboard}", "put"), ("/{leaderboard}", "delete"), ("/{leaderboard}/{name}", "delete")]
ADMIN_FUNCTIONS = ("UpdateBoardSettingsFunction", "RemoveBoardFunction", "RemovePlayerFunction")
# Every other route but the write (POST): the reads, the board page among them.
PUBLIC_OPERATIONS = [
    (route.path, route.method.lower())
    for route in routes()
    if route.method != "POST" and (route.path, route.method.lower()) not in ADMIN_OPERATIONS
]
WRITE_AUTHS = ["API_KEY", "IAM", "NONE"]


def api_body(template: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = resources(template, "AWS::ApiGateway::RestApi")["LeaderboardApi"]["Body"]
    return body


def security(template: dict[str, Any], path: str, method: str) -> Any:
    return api_body(template)["paths"][path][method].get("security")


def variables(template: dict[str, Any], function: str) -> dict[str, str]:
    found: dict[str, str] = resources(template, "AWS::Lambda::Function")[function]["Environment"]["Variables"]
    return found


def gateway_message(template: dict[str, Any], response_type: str) -> str:
    text = api_body(template)["x-amazon-apigateway-gateway-responses"][response_type]["responseTemplates"][
        "application/json"
    ]
    message: str = json.loads(text.replace("$context.requestId", "req-1"))["message"]
    return message


def test_admin_auth_is_iam_by_default_and_offers_an_api_key() -> None:
    parameter = load_template()["Parameters"]["AdminAuth"]
    assert parameter["Default"] == "IAM"
    assert parameter["AllowedValues"] == ["IAM", "API_KEY"]
    assert "never the key game clients carry" in " ".join(parameter["Description"].split())


@pytest.mark.parametrize("write_auth", WRITE_AUTHS)
def test_by_default_admin_methods_need_a_sigv4_signature_and_no_admin_key_exists(write_auth: str) -> None:
    # Given the stack with the default AdminAuth, whatever protects writes
    template = stack(WriteAuth=write_auth)

    # Then every admin method needs a signature, and there is no admin key, plan or output
    for path, method in ADMIN_OPERATIONS:
        assert security(template, path, method) == [{"sigv4": []}], (path, method)
    assert api_body(template)["components"]["securitySchemes"]["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert "AdminApiKey" not in template["Resources"]
    assert "AdminUsagePlan" not in template["Resources"]
    assert "AdminUsagePlanKey" not in template["Resources"]
    assert "AdminApiKeyId" not in template["Outputs"]
    # And the admin functions have no admin key id to check (the signature is the check), the others none at all
    for function in resources(template, "AWS::Lambda::Function"):
        expected = "" if function in ADMIN_FUNCTIONS else None
        assert variables(template, function).get("ADMIN_API_KEY_ID") == expected


@pytest.mark.parametrize("write_auth", WRITE_AUTHS)
def test_with_api_key_admin_methods_need_a_key_of_their_own_usage_plan(write_auth: str) -> None:
    # Given the stack with AdminAuth=API_KEY
    template = stack(StageName="feat-x", AdminAuth="API_KEY", WriteAuth=write_auth)

    # Then every admin method needs an API key
    for path, method in ADMIN_OPERATIONS:
        assert security(template, path, method) == [{"api_key": []}], (path, method)
    # And the admin key is its own, on its own usage plan of this stage, named after the stage
    keys = resources(template, "AWS::ApiGateway::ApiKey")
    plans = resources(template, "AWS::ApiGateway::UsagePlan")
    plan_keys = resources(template, "AWS::ApiGateway::UsagePlanKey")
    assert keys["AdminApiKey"]["Name"] == "leaderboard-api-feat-x-admin"
    assert keys["AdminApiKey"]["Enabled"] is True
    assert plan_keys["AdminUsagePlanKey"] == {
        "KeyId": "<AdminApiKey>",
        "KeyType": "API_KEY",
        "UsagePlanId": "<AdminUsagePlan>",
    }
    assert plans["AdminUsagePlan"]["UsagePlanName"] == "leaderboard-api-feat-x-admins"
    assert plans["AdminUsagePlan"]["ApiStages"] == [{"ApiId": "<LeaderboardApi>", "Stage": "<LeaderboardApiStage>"}]
    # Never bound to the writers' plan: the write key and the admin key are different keys on different plans
    others = [plan_key for name, plan_key in plan_keys.items() if name != "AdminUsagePlanKey"]
    assert all(plan_key["KeyId"] != "<AdminApiKey>" for plan_key in others)
    if write_auth == "API_KEY":
        assert set(keys) == {"WriteApiKey", "AdminApiKey"}
        assert plan_keys["WriteUsagePlanKey"]["KeyId"] == "<WriteApiKey>"
    else:
        assert set(keys) == {"AdminApiKey"}
    # And an operator finds the key's id in the outputs
    assert template["Outputs"]["AdminApiKeyId"]["Value"] == "<AdminApiKey>"
    assert "--include-value" in template["Outputs"]["AdminApiKeyId"]["Description"]


def test_with_api_key_the_admin_functions_know_the_admin_keys_id() -> None:
    # Given the stack with AdminAuth=API_KEY
    template = stack(AdminAuth="API_KEY")

    # Then the admin functions get the admin key's id (what API Gateway puts in requestContext.identity.apiKeyId),
    # which they require: the gateway alone would let the write key through
    for function in resources(template, "AWS::Lambda::Function"):
        expected = "<AdminApiKey>" if function in ADMIN_FUNCTIONS else None
        assert variables(template, function).get("ADMIN_API_KEY_ID") == expected, function
    # And the raw template sets it from the condition, so it is empty under IAM (not a dangling Ref)
    raw = load_template()["Resources"]
    for function in ADMIN_FUNCTIONS:
        declared = raw[function]["Properties"]["Environment"]["Variables"]["ADMIN_API_KEY_ID"]
        assert declared == {"Fn::If": ["AdminNeedsApiKey", {"Ref": "AdminApiKey"}, ""]}


@pytest.mark.parametrize("admin_auth", ["IAM", "API_KEY"])
def test_reads_stay_public_and_writes_keep_write_auth_whatever_protects_admin(admin_auth: str) -> None:
    template = stack(AdminAuth=admin_auth)
    for path, method in PUBLIC_OPERATIONS:
        assert not security(template, path, method), (path, method)
    assert security(template, "/{leaderboard}/{name}", "post") == [{"api_key": []}]
    assert security(stack(AdminAuth=admin_auth, WriteAuth="IAM"), "/{leaderboard}/{name}", "post") == [{"sigv4": []}]


@pytest.mark.parametrize("path", sorted({route.path for route in routes()}))
def test_each_preflight_lists_exactly_its_paths_methods(path: str) -> None:
    body = api_body(stack())
    preflight = body["paths"][path]["options"]["x-amazon-apigateway-integration"]
    headers = preflight["responses"]["default"]["responseParameters"]
    allowed = headers["method.response.header.Access-Control-Allow-Methods"].strip("'").split(",")
    assert len(allowed) == len(set(allowed))
    assert set(allowed) == {route.method for route in routes() if route.path == path} | {"OPTIONS"}
    assert set(allowed) == {method.upper() for method in body["paths"][path]}


@pytest.mark.parametrize(
    ("admin_auth", "write_auth", "signed"),
    [
        ("IAM", "API_KEY", "PUT and DELETE, the admin routes, need a SigV4 signature"),
        ("IAM", "NONE", "PUT and DELETE, the admin routes, need a SigV4 signature"),
        ("IAM", "IAM", "POST, PUT and DELETE need a SigV4 signature"),
        ("API_KEY", "IAM", "POST needs a SigV4 signature"),
        ("API_KEY", "API_KEY", None),
        ("API_KEY", "NONE", None),
    ],
)
def test_a_missing_route_says_which_methods_need_a_signature(
    admin_auth: str, write_auth: str, signed: str | None
) -> None:
    template = stack(AdminAuth=admin_auth, WriteAuth=write_auth)
    message = gateway_message(template, "MISSING_AUTHENTICATION_TOKEN")
    assert message.startswith("No route answers this method and path")
    for path, operations in api_body(template)["paths"].items():
        for method in set(operations) - {"options"}:
            assert f"{method.upper()} {path}" in message
    if signed is None:
        assert "sign" not in message
    else:
        assert message.startswith("No route answers this method and path, or the request is not signed.")
        assert signed in message


@pytest.mark.parametrize(
    ("admin_auth", "write_auth", "needs"),
    [
        ("IAM", "API_KEY", "POST needs the stage's API key in the x-api-key header;"),
        ("API_KEY", "API_KEY", "POST needs the stage's API key in the x-api-key header, and PUT and DELETE the"),
        ("API_KEY", "IAM", "PUT and DELETE need the stage's admin API key in the x-api-key header"),
        ("API_KEY", "NONE", "PUT and DELETE need the stage's admin API key in the x-api-key header"),
    ],
)
def test_a_missing_key_says_which_key_each_method_needs(admin_auth: str, write_auth: str, needs: str) -> None:
    message = gateway_message(stack(AdminAuth=admin_auth, WriteAuth=write_auth), "INVALID_API_KEY")
    assert message.startswith("Forbidden: ")
    assert needs in message
