"""One Lambda-like execution environment: imports a handler once (init), then serves invocations one at a time.

`python worker.py <handler> <code dir> <request fd> <response fd>`, started by the runtime with the
function's environment. Invocations arrive as JSON lines on the request pipe and results leave on the response pipe;
stdout and stderr stay the terminal's, so the handler's own logs show as they would in CloudWatch.
"""

from __future__ import annotations

import signal

# Ctrl-C reaches the terminal's whole process group, this worker too, even while it is still starting: ignored from
# its first statement on, since the dev server stops its workers itself (one that died of it would print a
# KeyboardInterrupt traceback).
signal.signal(signal.SIGINT, signal.SIG_IGN)

import importlib  # noqa: E402 - after the signal's disposition, however long the imports take
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def _load_lambda_context() -> Any:
    """devserver/lambda_context.py, loaded by its path under a private name: the function's folder, not ours, is on
    sys.path, so none of its modules can be shadowed by the dev server's."""
    spec = importlib.util.spec_from_file_location(
        "_devserver_lambda_context", Path(__file__).with_name("lambda_context.py")
    )
    if spec is None or spec.loader is None:
        raise ImportError("devserver/lambda_context.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LambdaContext


LambdaContext = _load_lambda_context()


def error_payload(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorType": error_type or type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(error),
    }


def main(argv: list[str]) -> int:
    handler_path, code_dir, request_fd, response_fd = argv[1], argv[2], int(argv[3]), int(argv[4])
    # Started as a script, so sys.path[0] is this folder: replace it, or its modules could shadow the function's.
    sys.path[0] = code_dir
    with os.fdopen(request_fd, "r", encoding="utf-8") as requests, os.fdopen(response_fd, "w", encoding="utf-8") as out:

        def send(message: dict[str, Any]) -> None:
            out.write(json.dumps(message) + "\n")
            out.flush()

        module_name, _, function_name = handler_path.rpartition(".")
        try:
            handler = getattr(importlib.import_module(module_name), function_name)
        except Exception as error:
            traceback.print_exc()
            send({"init_error": error_payload(error, "Runtime.ImportModuleError")})
            return 1
        send({"ready": True})
        for line in requests:
            invocation = json.loads(line)
            try:
                result = handler(invocation["event"], LambdaContext(**invocation["context"]))
                encoded = json.dumps({"result": result})
            except Exception as error:
                traceback.print_exc()
                encoded = json.dumps({"error": error_payload(error)}, default=str)
            out.write(encoded + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
