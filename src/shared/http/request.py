"""Reading an API Gateway REST (v1 proxy) event's HTTP parts: headers, the media type, the request id."""

from __future__ import annotations

from typing import Any


def header(event: dict[str, Any], name: str) -> str | None:
    """A request header, looked up case-insensitively (API Gateway passes headers as the client sent them)."""
    headers = event.get("headers") or {}
    wanted = name.lower()
    return next((str(value) for key, value in headers.items() if key.lower() == wanted), None)


def is_json_media_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def request_id_of(event: dict[str, Any]) -> str | None:
    """API Gateway's id of the request: the correlation id of the logs, and in every error body."""
    context = event.get("requestContext")
    return context.get("requestId") if isinstance(context, dict) else None
