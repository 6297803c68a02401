"""A Lambda-compatible image for `sam local` under podman, built here from the distribution's packages and PyPI (no
container registry needed), and reused until one of its inputs changes.

The image is Debian with the runtime's Python, the AWS Lambda runtime interface client (awslambdaric) in
/var/runtime, and a /var/runtime/bootstrap that starts it; SAM CLI adds its own runtime interface emulator
(/var/rapid/aws-lambda-rie) on top, as it does to the images it pulls. The image's name carries a hash of its
inputs (the Debian suite, the architecture, the client's version, the Containerfile and the bootstrap), so a change
to any of them builds a new one, and SAM's own derived image (its tag `rapid-<arch>`) follows it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devserver.container_engine import Engine, EngineUnavailable, install_packages

# The runtimes this image can stand in for: Debian's suite whose python3.X it is.
DEBIAN_SUITES = {"python3.13": "trixie"}
DEBIAN_ARCHITECTURES = {"x86_64": "amd64", "arm64": "arm64"}
WHEEL_PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
RUNTIME_INTERFACE_CLIENT = "awslambdaric==4.2.2"
REPOSITORY = "localhost/leaderboard-api-lambda"

BOOTSTRAP = """#!/bin/sh
# Started by the runtime interface emulator with _HANDLER set, as Lambda's own runtime is.
export PYTHONPATH="/var/task:/var/runtime${PYTHONPATH:+:$PYTHONPATH}"
exec /usr/bin/{python} -m awslambdaric "$_HANDLER"
"""

CONTAINERFILE = """FROM {base}
COPY runtime/ /var/runtime/
COPY --chmod=755 bootstrap /var/runtime/bootstrap
ENV LAMBDA_TASK_ROOT=/var/task LAMBDA_RUNTIME_DIR=/var/runtime LANG=C.UTF-8 TZ=:UTC
WORKDIR /var/task
ENTRYPOINT ["/var/rapid/aws-lambda-rie"]
"""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _inputs_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:12]


def _exists(engine: Engine, image: str) -> bool:
    return engine.run("image", "exists", image, check=False).returncode == 0


def _checked(engine: Engine, *args: str) -> None:
    result = engine.run(*args, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise EngineUnavailable(f"{engine.name} {args[0]} failed: {last}")


def base_image(engine: Engine, runtime: str, architecture: str) -> str:
    """Debian's minimal system with the runtime's Python and CA certificates, from mmdebstrap (about 20 s)."""
    suite, arch = DEBIAN_SUITES[runtime], DEBIAN_ARCHITECTURES[architecture]
    packages = f"{runtime},ca-certificates"
    image = f"{REPOSITORY}-base:{suite}-{arch}-{_inputs_hash(suite, arch, packages)}"
    if _exists(engine, image):
        return image
    if shutil.which("mmdebstrap") is None:
        install_packages(
            ["mmdebstrap"],
            problem="building the local Lambda image needs mmdebstrap",
            announcement="The local Lambda image is built with mmdebstrap, which is missing: "
            "installing mmdebstrap (apt-get)...",
        )
    mmdebstrap = shutil.which("mmdebstrap")
    if mmdebstrap is None:
        raise EngineUnavailable("building the local Lambda image needs mmdebstrap, and installing it did not give one")
    _say(f"Building the base image {image} (Debian {suite}, {runtime}) with mmdebstrap...")
    with tempfile.TemporaryDirectory(prefix="sam-local-rootfs-") as work:
        rootfs = Path(work) / "rootfs.tar"
        mirror = [os.environ["DEBIAN_MIRROR"]] if os.environ.get("DEBIAN_MIRROR") else []
        command = [mmdebstrap, "--quiet", f"--arch={arch}", "--variant=minbase", f"--include={packages}"]
        result = subprocess.run([*command, suite, str(rootfs), *mirror], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise EngineUnavailable(f"mmdebstrap failed: {last}")
        _checked(engine, "import", str(rootfs), image)
    return image


def lambda_image(engine: Engine, runtime: str, architecture: str) -> str:
    """The image for `sam local --invoke-image`, built unless one with the same inputs is already there."""
    if runtime not in DEBIAN_SUITES:
        raise EngineUnavailable(f"no local image recipe for the runtime {runtime} (known: {', '.join(DEBIAN_SUITES)})")
    suite, arch = DEBIAN_SUITES[runtime], DEBIAN_ARCHITECTURES[architecture]
    bootstrap = BOOTSTRAP.replace("{python}", runtime)
    key = _inputs_hash(suite, arch, runtime, RUNTIME_INTERFACE_CLIENT, CONTAINERFILE, bootstrap)
    image = f"{REPOSITORY}-{key}:{runtime}-{architecture}"
    if _exists(engine, image):
        return image
    started = time.monotonic()
    base = base_image(engine, runtime, architecture)
    _say(f"Building the local Lambda image {image} ({RUNTIME_INTERFACE_CLIENT})...")
    with tempfile.TemporaryDirectory(prefix="sam-local-image-") as work:
        context = Path(work)
        pip = [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
            "--target", str(context / "runtime"), "--platform", WHEEL_PLATFORMS[architecture],
            "--python-version", runtime.removeprefix("python"), "--only-binary=:all:", RUNTIME_INTERFACE_CLIENT,
        ]  # fmt: skip
        result = subprocess.run(pip, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise EngineUnavailable(f"installing {RUNTIME_INTERFACE_CLIENT} for the image failed: {last}")
        (context / "bootstrap").write_text(bootstrap, encoding="utf-8")
        (context / "Containerfile").write_text(CONTAINERFILE.format(base=base), encoding="utf-8")
        _checked(engine, "build", "--quiet", "--file", str(context / "Containerfile"), "--tag", image, str(context))
    _say(f"Built {image} in {time.monotonic() - started:.1f} s; later runs reuse it until its inputs change.")
    return image
