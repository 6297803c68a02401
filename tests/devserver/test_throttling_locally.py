"""`make dev` throttles as the stage does (its MethodSettings): past the bucket, API Gateway's own 429, shaped by the
template's gateway responses, before any function runs. And its momento-local can have a Momento account's rate
limit (MOMENTO_OPS_PER_SECOND=), so a run can show what the service does when Momento says "too many"."""

from __future__ import annotations

import json

from devserver.__main__ import parse_args
from devserver.events import HttpRequest
from devserver.local_services import start_local_services
from devserver.server import Gateway
from devserver.template import load_application
from devserver.throttling import ThrottleSpec
from tests.support import ROOT

TEMPLATE = ROOT / "template.yaml"


def test_the_stage_throttle_of_the_template_applies_with_its_parameters() -> None:
    assert load_application(TEMPLATE).throttles == (ThrottleSpec("/*", "*", 200.0, 400),)
    overridden = load_application(
        TEMPLATE, parameter_overrides={"ThrottlingRateLimit": "5", "ThrottlingBurstLimit": "7"}
    )
    assert overridden.throttles == (ThrottleSpec("/*", "*", 5.0, 7),)


def test_a_request_past_the_stages_burst_gets_api_gateways_429() -> None:
    app = load_application(TEMPLATE, parameter_overrides={"ThrottlingRateLimit": "1", "ThrottlingBurstLimit": "1"})
    gateway = Gateway(app, {}, lambda _line: None, api_key="local-key")
    try:
        unsigned = HttpRequest("POST", "/weekly/ada", "", [("Content-Type", "application/json")], b"{}", "127.0.0.1")
        assert gateway.handle(unsigned).status == 403  # let through, then refused for its missing key: no function
        throttled = gateway.handle(unsigned)  # the same second: the bucket is empty
        assert throttled.status == 429
        headers = dict(throttled.headers)
        assert headers["x-amzn-ErrorType"] == "TooManyRequestsException"
        assert headers["Content-Type"] == "application/json"
        body = json.loads(throttled.body)
        assert body["message"] == "Too Many Requests"
        assert body["requestId"] == headers["x-amzn-RequestId"]
    finally:
        gateway.close()


def test_make_dev_gives_momento_local_the_accounts_rate_limit_asked_for() -> None:
    assert parse_args([]).momento_ops_per_second is None
    assert parse_args(["--momento-ops-per-second", "100"]).momento_ops_per_second == 100
    services = start_local_services(load_application(TEMPLATE), momento_ops_per_second=100)
    try:
        assert services.momento.meter.ops_per_second == 100
    finally:
        services.stop()
