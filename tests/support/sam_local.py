"""Waiting for `make sam-local`'s start-api to answer, for the tests that start one (the contract suite's sam-local
target and its Ctrl-C test): skipped, saying why, where no container engine can run here."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import requests

NO_ENGINE = 3  # devserver.sam_local's exit status where no container engine can run
START_SECONDS = 600  # a first run builds the image (about 20 s) and the functions (about 30 s)


def wait_until_answering(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Returns once `url` answers; skips the test where no engine can run, fails it if sam local exits or is slow."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log_path.read_text(encoding="utf-8")
            if process.returncode == NO_ENGINE:
                pytest.skip(output.strip().splitlines()[-1])
            pytest.fail(f"sam local exited ({process.returncode}) before answering:\n{output[-3000:]}")
        try:
            requests.get(f"{url}/", timeout=5)
            return
        except requests.ConnectionError:
            time.sleep(0.5)
    pytest.fail(f"sam local did not answer within {START_SECONDS} s (log: {log_path})")
