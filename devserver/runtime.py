"""Lambda-like execution environments for local runs: a pool of worker processes per function.

Each worker imports its handler once and serves one invocation at a time, with the function's own environment, as
a Lambda execution environment does; concurrent requests get more workers (up to a cap). A worker that overruns the
function's Timeout is killed (the next request starts a fresh one, a cold start), as is every worker when the code
changes (reload).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devserver.local_aws import credentials_environment, function_arn
from devserver.template import FunctionSpec

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
# Lambda's limit for the init phase. Past it Lambda does not fail the request: it runs the init again within the
# first invocation, under the function's timeout. Here the worker's init goes on for that much longer instead, so a
# cold start on a busy machine (many workers importing their SDKs at once) is slow, as on Lambda, not a 502.
INIT_TIMEOUT_S = 10.0
# Cold starts of one function run one at a time, and a request waiting for one takes the first worker that frees up.
# On Lambda every environment inits on its own CPU; here they share the machine's few cores, and ten inits at once (a
# burst of concurrent first requests) starve each other past INIT_TIMEOUT_S, which Lambda would never see.
CONCURRENT_STARTS = 1


@dataclass(frozen=True)
class Outcome:
    """What an invocation produced: `result`, or an `error` (handler raised, init failed), or a timeout."""

    result: Any = None
    error: dict[str, Any] | None = None
    timed_out: bool = False


class Worker:
    def __init__(self, spec: FunctionSpec, environment: dict[str, str], generation: int) -> None:
        self.spec = spec
        self.generation = generation
        self._killed = False
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        self._process = subprocess.Popen(  # the handler's own Python, with the function's environment only
            [
                sys.executable,
                str(WORKER_SCRIPT),
                spec.handler,
                str(spec.code_dir),
                str(request_read),
                str(response_write),
            ],
            env=environment,
            pass_fds=(request_read, response_write),
            stdout=sys.stderr,  # the function's logs, like CloudWatch's, never mix with what a caller prints
            cwd=spec.code_dir,
        )
        os.close(request_read)
        os.close(response_write)
        self._requests = os.fdopen(request_write, "w", encoding="utf-8")
        self._responses: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, args=(response_read,), daemon=True).start()
        self.init_error: dict[str, Any] | None = None
        first = self._next(INIT_TIMEOUT_S + spec.timeout_s)
        if first is None or "init_error" in first:
            self.init_error = (first or {}).get("init_error") or {"errorType": "Runtime.InitError"}
            self.kill()

    def invoke(self, event: dict[str, Any], request_id: str) -> Outcome:
        if self.init_error is not None:
            return Outcome(error=self.init_error)
        deadline_ms = int((time.time() + self.spec.timeout_s) * 1000)
        context = {
            "function_name": self.spec.function_name,
            "invoked_function_arn": function_arn(self.spec.function_name),
            "memory_limit_in_mb": self.spec.memory_mb,
            "aws_request_id": request_id,
            "deadline_ms": deadline_ms,
        }
        try:
            self._requests.write(json.dumps({"event": event, "context": context}) + "\n")
            self._requests.flush()
        except (OSError, ValueError):  # the worker exited, or was stopped (its pipe closed) by FunctionPool.stop
            return Outcome(error={"errorType": "Runtime.ExitError", "errorMessage": "the worker exited"})
        answer = self._next(self.spec.timeout_s)
        if answer is None:
            if self.alive and not self._killed:
                return Outcome(timed_out=True)
            return Outcome(error={"errorType": "Runtime.ExitError", "errorMessage": "the worker exited"})
        if "error" in answer:
            return Outcome(error=answer["error"])
        return Outcome(result=answer.get("result"))

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def kill(self) -> None:
        self._killed = True  # read by an invocation this ends: the worker exited, it did not time out
        if self.alive:
            self._process.kill()
        self._process.wait()
        with contextlib.suppress(OSError):
            self._requests.close()

    def _next(self, timeout_s: float) -> dict[str, Any] | None:
        try:
            return self._responses.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "r", encoding="utf-8") as lines:
            for line in lines:
                self._responses.put(json.loads(line))
        self._responses.put(None)  # the worker exited


class FunctionPool:
    """The execution environments of one function."""

    def __init__(self, spec: FunctionSpec, environment: dict[str, str], max_workers: int = 10) -> None:
        self.spec = spec
        self._environment = environment
        self._max_workers = max_workers
        self._idle: list[Worker] = []
        self._running: set[Worker] = set()  # every started worker, idle or busy, until it is killed
        self._stopped = False
        self._busy = 0  # workers handed out, including those still starting
        self._starting = 0
        self._generation = 0
        self._available = threading.Condition()

    def invoke(self, event: dict[str, Any], request_id: str | None = None) -> Outcome:
        worker = self._acquire()
        outcome = worker.invoke(event, request_id or str(uuid.uuid4()))
        self._release(worker, reusable=not outcome.timed_out and (outcome.error is None or _handler_error(outcome)))
        return outcome

    def warm(self) -> None:
        """Starts one execution environment ahead of the first request (its init is the cold start)."""
        try:
            worker = self._acquire()
        except Exception:  # a broken handler shows on the first request instead
            return
        self._release(worker, reusable=worker.init_error is None)

    def recycle(self) -> None:
        """Retires every worker: idle ones now, busy ones when they finish (the next request is a cold start)."""
        with self._available:
            self._generation += 1
            idle, self._idle = self._idle, []
            self._running.difference_update(idle)
        for worker in idle:
            worker.kill()

    def close(self) -> None:
        self.recycle()

    def stop(self) -> None:
        """Kills every worker now, busy ones too (their invocations end as Runtime.ExitError): nothing outlives a
        stopping server, whatever its functions were doing."""
        self.recycle()
        with self._available:
            self._stopped = True
            running, self._running = self._running, set()
        for worker in running:
            worker.kill()

    def _acquire(self) -> Worker:
        with self._available:
            while not self._idle and (self._busy >= self._max_workers or self._starting >= CONCURRENT_STARTS):
                self._available.wait()
            self._busy += 1
            if self._idle:
                return self._idle.pop()
            self._starting += 1
            generation = self._generation
        started = False
        try:
            worker = Worker(self.spec, self._environment, generation)
            started = True
        finally:
            with self._available:
                self._starting -= 1
                self._busy -= 0 if started else 1
                self._available.notify_all()
        with self._available:
            stopped = self._stopped
            if not stopped:
                self._running.add(worker)
        if stopped:  # started while the pool stopped: its invocation ends as Runtime.ExitError
            worker.kill()
        return worker

    def _release(self, worker: Worker, reusable: bool) -> None:
        with self._available:
            self._busy -= 1
            keep = reusable and worker.alive and worker.generation == self._generation
            if keep:
                self._idle.append(worker)
            else:
                self._running.discard(worker)
            self._available.notify_all()
        if not keep:
            worker.kill()


def _handler_error(outcome: Outcome) -> bool:
    """A handler that raised leaves its environment usable (Lambda keeps it); a crashed or unready one does not."""
    error_type = (outcome.error or {}).get("errorType", "")
    return outcome.error is not None and not error_type.startswith("Runtime.")


def runtime_environment(spec: FunctionSpec, extra: dict[str, str]) -> dict[str, str]:
    """What a function's process sees: its resolved variables plus what the Lambda runtime itself sets."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        **credentials_environment(),
        "AWS_SESSION_TOKEN": "local",
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "PYTHONUNBUFFERED": "1",
        **spec.environment,
        **extra,
    }
