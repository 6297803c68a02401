"""WriteAuth decides who may POST; reads stay public; the stage throttles; CORS headers are on every answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.template import resources, stack


def api_body(template: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = resources(template, "AWS::ApiGateway::RestApi")["LeaderboardApi"]["Body"]
    return body


def security(template: dict[str, Any], path: str, method: str) -> Any:
    return api_body(template)["paths"][path][method].get("security")


def test_by_default_posting_needs_an_api_key_with_a_throttled_usage_plan() -> None:
    template = stack()
    assert security(template, "/{leaderboard}/{name}", "post") == [{"api_key": []}]
    assert api_body(template)["x-amazon-apigateway-api-key-source"] == "HEADER"
    plan = next(iter(resources(template, "AWS::ApiGateway::UsagePlan").values()))
    # (CloudFormation passes Number parameters as strings; the resolver keeps them so)
    assert plan["Throttle"] == {"RateLimit": "50", "BurstLimit": "100"}
    assert plan["Quota"] == {"Limit": "1000000", "Period": "DAY"}
    stage_id = plan["ApiStages"][0]["Stage"]  # a Ref to the stage resource, so the plan is created after it
    assert stage_id == "<LeaderboardApiStage>"
    assert resources(template, "AWS::ApiGateway::Stage")["LeaderboardApiStage"]["StageName"] == "dev"
    assert plan["UsagePlanName"] == "leaderboard-api-dev-writers"
    assert len(resources(template, "AWS::ApiGateway::ApiKey")) == 1
    assert len(resources(template, "AWS::ApiGateway::UsagePlanKey")) == 1
    assert "WriteApiKeyId" in template["Outputs"]


def test_reads_are_public_whatever_protects_writes() -> None:
    for mode in ("API_KEY", "IAM", "NONE"):
        template = stack(WriteAuth=mode)
        assert not security(template, "/{leaderboard}/{name}", "get")
        assert not security(template, "/{leaderboard}", "get")


def test_iam_mode_needs_sigv4_and_has_no_keys() -> None:
    template = stack(WriteAuth="IAM")
    assert security(template, "/{leaderboard}/{name}", "post") == [{"sigv4": []}]
    scheme = api_body(template)["components"]["securitySchemes"]["sigv4"]
    assert scheme["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert resources(template, "AWS::ApiGateway::UsagePlan") == {}
    assert resources(template, "AWS::ApiGateway::ApiKey") == {}
    assert "WriteApiKeyId" not in template["Outputs"]


def test_none_mode_leaves_posting_open() -> None:
    template = stack(WriteAuth="NONE")
    assert not security(template, "/{leaderboard}/{name}", "post")  # an empty list: no security requirement
    assert resources(template, "AWS::ApiGateway::UsagePlan") == {}


def test_usage_plan_limits_are_parameters() -> None:
    template = stack(WriteKeyRateLimit="5", WriteKeyBurstLimit="10", WriteKeyDailyQuota="1000")
    plan = next(iter(resources(template, "AWS::ApiGateway::UsagePlan").values()))
    assert plan["Throttle"] == {"RateLimit": "5", "BurstLimit": "10"}
    assert plan["Quota"]["Limit"] == "1000"


@pytest.mark.parametrize(("rate", "burst"), [(None, None), ("10", "20")])
def test_the_stage_throttles_all_callers(rate: str | None, burst: str | None) -> None:
    overrides = {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst} if rate and burst else {}
    template = stack(**overrides)
    stage = next(iter(resources(template, "AWS::ApiGateway::Stage").values()))
    assert stage["MethodSettings"] == [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": rate or "200",
            "ThrottlingBurstLimit": burst or "400",
        }
    ]


@pytest.mark.parametrize("origin", ["*", "https://game.example.com"])
def test_cors_headers_on_preflights_gateway_answers_and_function_responses(origin: str) -> None:
    template = stack(CorsAllowOrigin=origin)
    body = api_body(template)
    quoted = f"'{origin}'"
    for path in ("/{leaderboard}/{name}", "/{leaderboard}"):
        preflight = body["paths"][path]["options"]["x-amazon-apigateway-integration"]
        headers = preflight["responses"]["default"]["responseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == quoted
        assert "X-Api-Key" in headers["method.response.header.Access-Control-Allow-Headers"]
    for gateway_response in body["x-amazon-apigateway-gateway-responses"].values():  # a declared type inherits none
        assert gateway_response["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == quoted
    for function in resources(template, "AWS::Lambda::Function").values():
        assert function["Environment"]["Variables"]["CORS_ALLOW_ORIGIN"] == origin


def gateway_answer(template: dict[str, Any], response_type: str, error_message: str = "API Gateway's words") -> Any:
    """The body API Gateway sends for this response type, with its context variables filled in as it does."""
    responses = api_body(template)["x-amazon-apigateway-gateway-responses"]
    text = responses[response_type]["responseTemplates"]["application/json"]
    filled = text.replace("$context.error.messageString", json.dumps(error_message))
    return json.loads(filled.replace("$context.requestId", "req-1"))


@pytest.mark.parametrize("write_auth", ["API_KEY", "IAM", "NONE"])
def test_every_gateway_answer_has_the_apis_error_shape(write_auth: str) -> None:
    template = stack(WriteAuth=write_auth)
    for response_type in api_body(template)["x-amazon-apigateway-gateway-responses"]:
        body = gateway_answer(template, response_type)
        assert set(body) == {"message", "requestId"}, response_type
        assert body["requestId"] == "req-1"
    assert gateway_answer(template, "DEFAULT_4XX", 'Too "many" requests')["message"] == 'Too "many" requests'


def test_a_missing_route_lists_the_routes_and_a_missing_key_names_the_header() -> None:
    template = stack()
    no_route = gateway_answer(template, "MISSING_AUTHENTICATION_TOKEN")["message"]
    for path, operations in api_body(template)["paths"].items():
        for method in set(operations) - {"options"}:
            assert f"{method.upper()} {path}" in no_route
    assert "x-api-key" in gateway_answer(template, "INVALID_API_KEY")["message"]


def test_with_iam_writes_the_gateway_says_a_request_may_be_unsigned() -> None:
    template = stack(WriteAuth="IAM")
    assert "not signed" in gateway_answer(template, "MISSING_AUTHENTICATION_TOKEN")["message"]
    assert "SigV4" in gateway_answer(template, "INVALID_SIGNATURE")["message"]
