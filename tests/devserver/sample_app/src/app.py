"""Handlers that exercise the dev server: echo the event, report the context, raise, misbehave, overrun."""

import base64
import json
import os
import time
from typing import Any

VERSION = "v1"


def echo(event: dict[str, Any], context: Any) -> Any:
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "X-Version": VERSION},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps(
            {
                "event": event,
                "greeting": os.environ.get("GREETING"),
                "from_env_json": os.environ.get("FROM_ENV_JSON"),
                "not_declared": os.environ.get("NOT_DECLARED"),
            }
        ),
    }


def context_info(event: dict[str, Any], context: Any) -> Any:
    return {
        "statusCode": 200,
        "body": json.dumps(
            {
                "function_name": context.function_name,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "invoked_function_arn": context.invoked_function_arn,
                "aws_request_id": context.aws_request_id,
                "remaining_ms": context.get_remaining_time_in_millis(),
            }
        ),
    }


def boom(event: dict[str, Any], context: Any) -> Any:
    raise RuntimeError("the handler failed")


def malformed(event: dict[str, Any], context: Any) -> Any:
    kind = event["pathParameters"]["kind"]
    if kind == "not-a-dict":
        return "just a string"
    if kind == "no-status":
        return {"body": "x"}
    if kind == "body-not-string":
        return {"statusCode": 200, "body": {"an": "object"}}
    if kind == "not-json":
        return {"statusCode": 200, "body": object()}
    return {"statusCode": 200, "body": base64.b64encode(b"\x00\x01binary").decode(), "isBase64Encoded": True}


def slow(event: dict[str, Any], context: Any) -> Any:
    print("slow: started", flush=True)  # a test waits for it: the worker is in its handler
    time.sleep(5)
    return {"statusCode": 200, "body": "too late"}
