"""The `context` object Lambda's Python runtime passes a handler: the dev server's workers, the tests, the leak probe
and the bench all build it from here.

Standard library only, and importing nothing of the project: the worker loads this file by its path, before the
function's own code folder takes its place on sys.path.
"""

from __future__ import annotations

import time
import uuid


class LambdaContext:
    """What Powertools and handlers read: the function's names, memory, request id and the time left."""

    def __init__(
        self,
        function_name: str,
        invoked_function_arn: str,
        *,
        timeout_ms: int = 10_000,
        memory_limit_in_mb: int = 1024,
        aws_request_id: str | None = None,
        deadline_ms: int | None = None,
    ) -> None:
        """`deadline_ms` (epoch milliseconds) wins over `timeout_ms`, which counts from now."""
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = aws_request_id or str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms if deadline_ms is not None else _now_ms() + timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - _now_ms())


def _now_ms() -> int:
    return int(time.time() * 1000)
