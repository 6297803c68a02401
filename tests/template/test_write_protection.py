"""WriteAuth decides who may POST; reads stay public; the stage throttles; CORS headers are on every answer."""

from __future__ import annotations

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
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        gateway = body["x-amazon-apigateway-gateway-responses"][kind]["responseParameters"]
        assert gateway["gatewayresponse.header.Access-Control-Allow-Origin"] == quoted
    for function in resources(template, "AWS::Lambda::Function").values():
        assert function["Environment"]["Variables"]["CORS_ALLOW_ORIGIN"] == origin
