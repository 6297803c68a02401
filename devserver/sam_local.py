"""`make sam-local`: `sam local start-api` in Docker, with momento-local and moto (SSM and DynamoDB) served from
this host.

Where no Docker engine answers, it says so in one line and points to `make dev`, which needs none.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from devserver.local_aws import credentials_environment
from devserver.local_services import start_local_services
from devserver.template import load_application

# events/env.json points the containers at these ports on the host.
MOMENTO_PORT = 8080
MOTO_PORT = 5000  # SSM and DynamoDB


def docker_available() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    probe = subprocess.run([docker, "info"], capture_output=True, check=False, timeout=20)
    return probe.returncode == 0


def main() -> int:
    if not docker_available():
        print("make sam-local needs a running Docker engine, and none answers here; use `make dev` (no Docker needed).")
        return 1
    logging.getLogger("samcli").setLevel(logging.ERROR)  # its notes on authorizers: sam local checks none anyway
    app = load_application(Path("template.yaml"), Path("events/env.json"))
    # 0.0.0.0: the containers reach the host through its bridge address, not through loopback.
    services = start_local_services(app, host="0.0.0.0", momento_port=MOMENTO_PORT, moto_port=MOTO_PORT)  # noqa: S104
    sam = Path(sys.executable).with_name("sam")
    env = {
        **os.environ,
        "SAM_CLI_TELEMETRY": "0",
        "PATH": f"{sam.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        # sam local hands the caller's credentials to the containers; moto accepts any.
        **credentials_environment(),
    }
    command = [
        str(sam),
        "local",
        "start-api",
        "--env-vars",
        "events/env.json",
        "--add-host",
        "host.docker.internal:host-gateway",
    ]
    try:
        subprocess.run([str(sam), "build"], env=env, check=True)
        return subprocess.run(command, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        services.stop()


if __name__ == "__main__":
    sys.exit(main())
