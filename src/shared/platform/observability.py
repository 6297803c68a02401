"""The one Logger, Tracer and Metrics of the service (Powertools), configured by POWERTOOLS_* variables."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

# botocore logs every response body at DEBUG, and SSM's GetParameter response body is the decrypted Momento key.
# Lambda's log level setting (or a root logger at DEBUG) would put it in CloudWatch: keep that one logger quieter.
logging.getLogger("botocore.parsers").setLevel(logging.INFO)


class _NoTracer:
    """Stands in for Tracer where tracing is off. Powertools' Tracer imports the X-Ray SDK (about 150 ms, with
    botocore) even when disabled; a cold start with tracing off should not pay for it."""

    def capture_lambda_handler[F: Callable[..., Any]](self, handler: F, **_: Any) -> F:
        return handler

    def capture_method[F: Callable[..., Any]](self, **_: Any) -> Callable[[F], F]:
        return _unchanged


def _unchanged[F: Callable[..., Any]](function: F) -> F:
    return function


def tracing_enabled() -> bool:
    """Powertools' own rule: traced only inside Lambda (not sam local), unless POWERTOOLS_TRACE_DISABLED says no."""
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() in ("1", "true", "yes", "on")
    in_lambda = bool(os.environ.get("LAMBDA_TASK_ROOT")) and not os.environ.get("AWS_SAM_LOCAL")
    return in_lambda and not disabled


logger = Logger()
tracer: Tracer | _NoTracer = Tracer() if tracing_enabled() else _NoTracer()
metrics = Metrics()
