"""`python -m devserver.invoke <FunctionLogicalId> <event file>`: the Docker-free `sam local invoke`.

Starts the same local services as `make dev`, runs the function once in a fresh execution environment with the
event, prints its response as JSON on stdout (the function's logs go to stderr), and exits 0, or 1 if it failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from devserver.local_services import start_local_services
from devserver.runtime import FunctionPool, runtime_environment
from devserver.template import load_application


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devserver.invoke", description=__doc__)
    parser.add_argument("function", help="the function's logical id in the template, e.g. SubmitScoreFunction")
    parser.add_argument("event", type=Path, help="an event file, e.g. events/submit-score.json")
    parser.add_argument("--template", type=Path, default=Path("template.yaml"))
    parser.add_argument("--env-vars", type=Path, default=Path("events/env.json"))
    args = parser.parse_args(argv)
    app = load_application(args.template, args.env_vars)
    spec = app.functions.get(args.function)
    if spec is None:
        print(
            f"no function {args.function!r} in {args.template}; it has: {', '.join(sorted(app.functions))}",
            file=sys.stderr,
        )
        return 2
    event = json.loads(args.event.read_text(encoding="utf-8"))
    services = start_local_services(app)
    pool = FunctionPool(spec, runtime_environment(spec, services.function_environment()), max_workers=1)
    try:
        outcome = pool.invoke(event)
    finally:
        pool.close()
        services.stop()
    if outcome.timed_out:
        print(json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": f"timed out after {spec.timeout_s} s"}))
        return 1
    if outcome.error is not None:
        print(json.dumps({k: v for k, v in outcome.error.items() if k != "stackTrace"}))
        return 1
    print(json.dumps(outcome.result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
