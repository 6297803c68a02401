"""Runs `python -m devserver` as a developer would, as a child process, for tests that need real HTTP."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from tests.support import ROOT

READY = re.compile(r"dev server on (?P<url>http://[\d.]+:\d+)")
MOTO = re.compile(r"moto (?P<endpoint>http://[\d.]+:\d+): .*DynamoDB table (?P<table>[\w.-]+)")
FLUSH = re.compile(r"(?P<command>\S+ -m momento_local flush .*?)\s+#")


# `python -c AS_A_TERMINAL_STARTS_IT <python arguments>`: that Python, with SIGINT at its default, as a terminal
# starts a program (a shell's `&` or a test runner may have left it ignored, and Ctrl-C would then change nothing).
AS_A_TERMINAL_STARTS_IT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


# Settings the tests' in-process functions get from their environment: the dev server, like sam local, would let
# the shell override the template's value with them, so a server's setting would depend on which tests ran first.
TEST_SETTINGS = ("READ_CACHE_SECONDS", "MOMENTO_TIMEOUT_MS")


def _without_test_settings(environment: os._Environ[str]) -> dict[str, str]:
    return {name: value for name, value in environment.items() if name not in TEST_SETTINGS}


class DevServerProcess:
    def __init__(self, *args: str, log: IO[str], cwd: Path = ROOT, warm: bool = False) -> None:
        """`warm`: as `make dev` starts it, one environment of each routed function started with the server; by
        default each function starts at its first request (`--cold`), so a test pays only for the functions it
        calls."""
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devserver", "--port", "0", *args, *([] if warm else ["--cold"])],
            cwd=cwd,
            env={**_without_test_settings(os.environ), "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,  # its own process group, so a test can check every child is gone
        )
        self.banner: list[str] = []
        self.url = self._wait_ready()
        printed = "".join(self.banner)
        # Where the record is (None for an app with no table), and the command that empties momento-local's cache
        moto, flush = MOTO.search(printed), FLUSH.search(printed)
        self.dynamodb_endpoint: str | None = moto["endpoint"] if moto else None
        self.table_name: str | None = moto["table"] if moto else None
        self.flush_command: str | None = flush["command"] if flush else None

    def _wait_ready(self, timeout_s: float = 60) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout_s
        lines: list[str] = []
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"dev server exited: {''.join(lines)}")
            lines.append(line)
            self.banner.append(line)
            if (ready := READY.search(line)) is not None:
                self._drain(deadline)
                return ready["url"]
        raise RuntimeError("dev server did not become ready")

    def _drain(self, deadline: float) -> None:
        """Reads the rest of the banner so its pipe never fills."""
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            self.banner.append(line)
            if not line or line.startswith("Ready."):
                return

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout_s: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout_s)
        finally:
            if self.process.stdout is not None:
                self.process.stdout.close()


def curl_status(command: str) -> int:
    """Runs a curl command line as printed (the banner's, the README's) and answers only the HTTP status."""
    result = subprocess.run(
        [*shlex.split(command), "-s", "-o", "/dev/null", "-w", "%{http_code}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    return int(result.stdout or 0)
