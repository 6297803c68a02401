"""`sam build` packages the functions here, with no Docker: arm64 wheels, handlers, and nothing local-only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

FUNCTIONS = ("SubmitScoreFunction", "GetStandingFunction", "GetLeaderboardFunction", "KeepBoardsAliveFunction")


def test_sam_build_packages_each_function_for_arm64(tmp_path: Path) -> None:
    # Given the template, built into a scratch folder with the tests' Python first on PATH (sam build needs 3.13)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "SAM_CLI_TELEMETRY": "0"}
    build_dir = tmp_path / "build"
    result = subprocess.run(
        [str(bin_dir / "sam"), "build", "--build-dir", str(build_dir), "--cache-dir", str(tmp_path / "cache")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for function in FUNCTIONS:
        artifact = build_dir / function
        # Then each function carries the handlers and shared code, and no local-only code
        assert (artifact / "handlers" / "submit_score.py").is_file()
        assert (artifact / "shared" / "stores" / "momento" / "index.py").is_file()
        assert not (artifact / "momento_local").exists()
        # And its native wheels are the arm64 ones Lambda will load
        grpc_extensions = list((artifact / "grpc" / "_cython").glob("cygrpc*.so"))
        assert grpc_extensions, f"no grpc extension in {function}"
        assert all("aarch64" in so.name for so in grpc_extensions), grpc_extensions
