"""The first run's install log: a line per tenth of the packages instead of pip's hundreds, errors kept."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT

PIP_LOG = "".join(
    [f"Collecting pkg{i}==1.{i}\n  Downloading pkg{i}-1.{i}-py3-none-any.whl (10 kB)\n" for i in range(15)]
    + [f"Processing /wheels/local{i}-2.{i}-py3-none-any.whl\n" for i in range(5)]
    + ["Installing collected packages: pkg0, pkg1\n", "Successfully installed pkg0-1.0 pkg1-1.1\n"]
)


def run(log: str, total: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "install_progress.py"), str(total)],
        input=log,
        capture_output=True,
        text=True,
        check=True,
    )


def test_progress_shows_a_tenth_of_the_packages_at_a_time_and_the_end() -> None:
    result = run(PIP_LOG, 20)
    lines = result.stdout.splitlines()
    assert lines[0] == "  [1/20] pkg0==1.0"
    assert "  [20/20] local4==2.4" in lines  # a wheel file's name and version, read from its file name
    assert 10 <= sum(line.startswith("  [") for line in lines) <= 11
    assert lines[-2] == "  installing..."
    assert lines[-1].startswith("  ready in ")
    assert "Downloading" not in result.stdout


def test_pip_errors_still_show() -> None:
    result = run("Collecting nope==9\nERROR: No matching distribution found for nope==9\n", 1)
    assert "No matching distribution found for nope==9" in result.stderr
