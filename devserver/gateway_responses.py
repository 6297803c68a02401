"""API Gateway's own answers (no route, a refused key or signature, too large, a failing or slow function), shaped
by the template's gateway responses (x-amazon-apigateway-gateway-responses) as API Gateway shapes them.

Each answer has a gateway response type (which of the template's responses applies) and an x-amzn-ErrorType (what
API Gateway tells clients, whatever the template says). A type the template does not declare falls back to its
DEFAULT_4XX or DEFAULT_5XX; without those, API Gateway's plain {"message": ...}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from devserver.events import HttpResponse
from devserver.template import GatewayResponse


@dataclass(frozen=True)
class GatewayError:
    status: int
    message: str  # API Gateway's own words: $context.error.message
    response_type: str
    error_type: str


MISSING_ROUTE = GatewayError(
    403, "Missing Authentication Token", "MISSING_AUTHENTICATION_TOKEN", "MissingAuthenticationTokenException"
)
INVALID_API_KEY = GatewayError(403, "Forbidden", "INVALID_API_KEY", "ForbiddenException")  # missing or unknown
UNDECODABLE_PATH = GatewayError(
    400, "Bad request: the path is not valid percent-encoded UTF-8", "DEFAULT_4XX", "BadRequestException"
)
REQUEST_TOO_LARGE = GatewayError(413, "Request Too Long", "REQUEST_TOO_LARGE", "RequestTooLargeException")
THROTTLED = GatewayError(429, "Too Many Requests", "THROTTLED", "TooManyRequestsException")
FUNCTION_FAILED = GatewayError(502, "Internal server error", "DEFAULT_5XX", "InternalServerErrorException")
FUNCTION_TIMED_OUT = GatewayError(504, "Endpoint request timed out", "INTEGRATION_TIMEOUT", "GatewayTimeoutException")


def signature_error(message: str, error_type: str) -> GatewayError:
    response_type = "ACCESS_DENIED" if error_type == "AccessDeniedException" else "INVALID_SIGNATURE"
    return GatewayError(403, message, response_type, error_type)


def render(error: GatewayError, responses: dict[str, GatewayResponse], request_id: str) -> HttpResponse:
    """The answer as API Gateway would send it for this stage's template."""
    fallback = "DEFAULT_5XX" if error.status >= 500 else "DEFAULT_4XX"
    spec = responses.get(error.response_type) or responses.get(fallback) or GatewayResponse()
    if spec.body_template is None:
        body = json.dumps({"message": error.message})
    else:
        # The variables this service's templates use; API Gateway substitutes them without running VTL.
        body = (
            spec.body_template.replace("$context.error.messageString", json.dumps(error.message))
            .replace("$context.error.message", error.message)
            .replace("$context.requestId", request_id)
        )
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", error.error_type), *spec.headers.items()]
    return HttpResponse(error.status, headers, body.encode())
