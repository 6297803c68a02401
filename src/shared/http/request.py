"""Reading an API Gateway REST (v1 proxy) event's HTTP parts, through Powertools' APIGatewayProxyEvent: headers,
the media type, the request id, the API key's id."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent


def header(event: dict[str, Any], name: str) -> str | None:
    """A request header, looked up case-insensitively (API Gateway passes headers as the client sent them)."""
    value = APIGatewayProxyEvent(event).headers.get(name)
    return None if value is None else str(value)


def is_json_media_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def request_id_of(event: dict[str, Any]) -> str | None:
    """API Gateway's id of the request: the correlation id of the logs, and in every error body. None for an event
    without one (a hand-made event: a console test, a direct invoke)."""
    try:
        request_id = APIGatewayProxyEvent(event).request_context.request_id
    except (KeyError, TypeError, AttributeError):
        return None
    return request_id if isinstance(request_id, str) else None


def api_key_id_of(event: dict[str, Any]) -> str | None:
    """The id of the API key API Gateway accepted for this request, or None (no key was required, or none sent)."""
    try:
        key_id = APIGatewayProxyEvent(event).request_context.identity.api_key_id
    except (KeyError, TypeError, AttributeError):
        return None
    return key_id if isinstance(key_id, str) and key_id else None
