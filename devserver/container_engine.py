"""The container engine `sam local` talks to: Docker where one answers, otherwise podman behind its Docker-compatible
API (installed from the distribution's packages when missing, saying so, with mmdebstrap, which builds the local
Lambda image podman runs: devserver/lambda_image.py).

SAM CLI speaks the Docker API; podman serves it from `podman system service` on a socket of this run, which
DOCKER_HOST then names. Podman's own settings for this run come from a containers.conf written beside that socket:
no default ulimits (setting them fails with EPERM where the engine itself runs without that right), and runc where
it is installed (crun fails on hosts with cgroups in hybrid mode).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HOST_ALIAS = "host.docker.internal"  # how events/env.json's containers name this host
PODMAN_PACKAGES = ("podman", "runc")
IMAGE_PACKAGES = ("mmdebstrap",)  # builds the local Lambda image's base system (devserver/lambda_image.py)


class EngineUnavailable(Exception):  # noqa: N818 - a state, not a programming error
    """No container engine can run here; the message says why."""


@dataclass
class Engine:
    name: str  # docker or podman
    environment: dict[str, str]  # what SAM CLI (and the engine's own commands) need: DOCKER_HOST, CONTAINERS_CONF
    host_address: str  # what HOST_ALIAS means inside a container: this host as the containers reach it
    service: subprocess.Popen[bytes] | None = None
    run_dir: Path | None = None
    notes: list[str] = field(default_factory=list)

    def command(self, *args: str) -> list[str]:
        return [self.name, *args]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            env={**os.environ, **self.environment},
            capture_output=True,
            text=True,
            check=check,
        )

    def stop(self) -> None:
        """Stops the podman API service this run started (Docker's daemon is not ours to stop)."""
        if self.service is not None and self.service.poll() is None:
            self.service.terminate()
            try:
                self.service.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.service.kill()
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)


def docker_answers() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        probe = subprocess.run([docker, "info"], capture_output=True, check=False, timeout=20)
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0


def install_podman(say: list[str]) -> None:
    """apt-get install podman runc, and mmdebstrap when missing (a new podman has no local Lambda image to reuse)."""
    packages = [*PODMAN_PACKAGES, *(name for name in IMAGE_PACKAGES if shutil.which(name) is None)]
    install_packages(
        packages,
        problem="no Docker engine answers and podman is not installed",
        announcement=f"No Docker engine answers and podman is missing: installing {' '.join(packages)} (apt-get)...",
    )
    say.append(f"installed {' '.join(packages)} from the distribution's packages")


def install_packages(packages: Sequence[str], *, problem: str, announcement: str) -> None:
    """apt-get install, as root or through sudo -n, after printing `announcement`; EngineUnavailable, starting with
    `problem`, where neither can."""
    names = " ".join(packages)
    apt = shutil.which("apt-get")
    if apt is None:
        raise EngineUnavailable(f"{problem}, and there is no apt-get to install {names}")
    prefix: list[str] = []
    if os.geteuid() != 0:
        sudo = shutil.which("sudo")
        if sudo is None:
            raise EngineUnavailable(f"{problem} (as root: apt-get install {names})")
        prefix = [sudo, "-n"]
    print(announcement, file=sys.stderr, flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([*prefix, apt, "update", "-qq"], [*prefix, apt, "install", "-y", "-qq", *packages]):
        result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise EngineUnavailable(f"installing {names} failed ({' '.join(command[-3:])}): {last}")


def _containers_conf(run_dir: Path) -> Path:
    lines = ["[containers]", "default_ulimits = []"]
    if shutil.which("runc"):
        lines += ["[engine]", 'runtime = "runc"']
    path = run_dir / "containers.conf"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _wait_for_socket(path: Path, service: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.poll() is not None:
            raise EngineUnavailable(f"podman system service exited ({service.returncode})")
        if path.exists():
            with socket.socket(socket.AF_UNIX) as probe:
                try:
                    probe.connect(str(path))
                    probe.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
                    if probe.recv(64).startswith(b"HTTP/1."):
                        return
                except OSError:
                    pass
        time.sleep(0.1)
    raise EngineUnavailable(f"podman's API did not answer on {path} within {timeout:.0f} s")


def start_podman() -> Engine:
    notes: list[str] = []
    if shutil.which("podman") is None:
        install_podman(notes)
    run_dir = Path(tempfile.mkdtemp(prefix="sam-local-podman-"))
    environment = {"CONTAINERS_CONF": str(_containers_conf(run_dir))}
    engine = Engine("podman", environment, host_address="", run_dir=run_dir, notes=notes)
    info = engine.run("info", "--format", "{{.Host.OCIRuntime.Name}}", check=False)
    if info.returncode != 0:
        engine.stop()
        last = (info.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise EngineUnavailable(f"podman cannot run here: {last}")
    gateway = engine.run(
        "network", "inspect", "podman", "--format", "{{range .Subnets}}{{.Gateway}}{{end}}", check=False
    )
    engine.host_address = gateway.stdout.strip()
    if gateway.returncode != 0 or not engine.host_address:
        engine.stop()
        raise EngineUnavailable("podman has no default bridge network (podman network inspect podman)")
    sock = run_dir / "podman.sock"
    # A process group of its own: Ctrl-C reaches the terminal's whole group, and the API must outlive SAM CLI, which
    # removes its containers through it once stopped; Engine.stop ends it after that.
    engine.service = subprocess.Popen(
        engine.command("system", "service", "--time=0", f"unix://{sock}"),
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        process_group=0,
    )
    try:
        _wait_for_socket(sock, engine.service)
    except EngineUnavailable:
        engine.stop()
        raise
    engine.environment["DOCKER_HOST"] = f"unix://{sock}"
    return engine


def detect_engine() -> Engine:
    """Docker when its engine answers, otherwise podman (installing it when missing); EngineUnavailable says why
    neither can run containers here."""
    if docker_answers():
        # Docker resolves host-gateway to the host; podman 4 does not, hence the bridge's address there.
        return Engine("docker", {}, host_address="host-gateway")
    return start_podman()
