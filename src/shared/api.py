"""Builds a handler's Lambda entry point: the middleware chain, wrapped in Powertools logging, metrics and tracing."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from shared.config import settings
from shared.middlewares.http_error_handler import http_error_handler
from shared.middlewares.json_body_parser import json_body_parser
from shared.middlewares.ssm_parameters import ssm_parameters
from shared.middlewares.validator import validator
from shared.middy import Event, Handler, Response, middy
from shared.observability import logger, metrics, tracer
from shared.responses import with_cors

API_KEY = "momento_api_key"  # the context attribute the Momento API key is set on


def api_handler(
    core: Handler, parse: Callable[[Event], Any], *, json_body: bool = False
) -> Callable[[Event, Any], Response]:
    """`core(event, context)` gets the validated input at `event["input"]` and the key at `context.momento_api_key`."""
    chain = middy(core).use(http_error_handler())
    if json_body:
        chain.use(json_body_parser())
    # Input is validated before the key is fetched: bad input costs no SSM call, and is a 400 even when SSM is down.
    config = settings()
    key_parameter = {API_KEY: config.api_key_parameter}
    chain.use(validator(parse)).use(ssm_parameters(key_parameter, config.api_key_cache, config.api_key_grace))
    allow_origin = config.cors_allow_origin

    def counted(event: Event, context: Any) -> Response:
        # The correlation id is API Gateway's request id (read directly: Powertools' JMESPath lookup costs more).
        logger.set_correlation_id((event.get("requestContext") or {}).get("requestId"))
        response = with_cors(chain(event, context), allow_origin)
        metrics.add_metric(name=outcome_metric(response["statusCode"]), unit=MetricUnit.Count, value=1)
        return response

    # Powertools order: logger context outermost, then metrics, then tracer.
    traced = tracer.capture_lambda_handler(counted, capture_response=False)
    measured = metrics.log_metrics(traced, capture_cold_start_metric=True)
    return logger.inject_lambda_context(measured)


def outcome_metric(status: int) -> str:
    """`Status202`, `Status404`, ...: one count per outcome, so dashboards split by status without dimensions."""
    return f"Status{HTTPStatus(status).value}"
