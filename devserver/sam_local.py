"""`make sam-local` and `make sam-invoke`: `sam local start-api` and `sam local invoke` in containers, against
momento-local and moto (SSM and DynamoDB) served from this host, as `make dev` serves them.

The engine is Docker where one answers, otherwise podman (devserver/container_engine.py); under podman the functions
run in a Lambda-compatible image built here (devserver/lambda_image.py), since SAM's own images come from a public
registry. Around SAM CLI it prepares, under .aws-sam/sam-local/:

- template.yaml: template.yaml for local runs. `Globals.Function.Layers` is left out (its `!If`, which deploys
  need, is "an Invalid Layer Arn" to every `sam local` command), CodeUri points back at src/, and
  `Globals.Function.Environment` declares LOCAL_CLOCK_OFFSET_SECONDS ("0"), since `--env-vars` only sets what the
  template declares; nothing else changes, and nothing deployed reads this copy. Every command of the run sets
  ParametersSecretsExtensionLayerArn to none, so the functions, which have no layer here, read the key with boto3.
- build/: `sam build` of it with Architecture set to this host's (the deployed default stays arm64): an x86_64 host
  runs x86_64 containers natively instead of arm64 ones under qemu, which are slower than the 10 s Timeout.
- env.json: events/env.json with this run's ports (free ones unless given), and with NOW=... the stack's clock
  offset for every function (devserver/time_travel.py), the one momento-local runs by.

SAM CLI runs through devserver/sam_cli.py (its own entry point, without what it prints as its containers end), in a
process group of its own: Ctrl-C stops it with one SIGINT, from here, and it removes its containers before the
local services and podman's API stop.

Where no container engine can run it says why in one line and exits 3 (tests skip with that line).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from samcli.yamlhelper import yaml_dump, yaml_parse

from devserver.container_engine import HOST_ALIAS, Engine, EngineUnavailable, detect_engine
from devserver.invoke_plan import PlanError, read_event, routed_function_id
from devserver.lambda_image import lambda_image
from devserver.local_aws import credentials_environment
from devserver.local_services import LocalServices, start_local_services
from devserver.template import LOCAL_PARAMETERS, load_application
from devserver.time_travel import EXAMPLE, OFFSET_VARIABLE, clock_note, offset_environment, offset_to, parse_now

ROOT = Path(__file__).resolve().parent.parent
WORK_DIR = Path(".aws-sam") / "sam-local"
NO_ENGINE = 3  # the exit status when no container engine can run here
HOST_ARCHITECTURES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


def host_architecture() -> str:
    machine = platform.machine().lower()
    if machine not in HOST_ARCHITECTURES:
        raise EngineUnavailable(f"Lambda has no architecture for this host's {machine}")
    return HOST_ARCHITECTURES[machine]


def local_template(template: Path, out_dir: Path) -> Path:
    """template.yaml without Globals.Function.Layers, its CodeUris relative to out_dir, the clock offset declared."""
    document: dict[str, Any] = yaml_parse(template.read_text(encoding="utf-8"))
    function_globals = document.setdefault("Globals", {}).setdefault("Function", {})
    function_globals.pop("Layers", None)
    # "0": the system's clock. Declared here, never in template.yaml: no deployed function reads it.
    variables = function_globals.setdefault("Environment", {}).setdefault("Variables", {})
    variables[OFFSET_VARIABLE] = "0"
    for properties in [function_globals] + [
        resource.get("Properties", {})
        for resource in document.get("Resources", {}).values()
        if resource.get("Type") == "AWS::Serverless::Function"
    ]:
        code_uri = properties.get("CodeUri")
        if isinstance(code_uri, str):
            properties["CodeUri"] = os.path.relpath(template.parent.resolve() / code_uri, out_dir.resolve())
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "template.yaml"
    target.write_text(yaml_dump(document), encoding="utf-8")
    return target


def env_vars(source: Path, services: LocalServices, target: Path) -> Path:
    """events/env.json with this run's ports: the containers reach both servers on this host through HOST_ALIAS."""
    document = json.loads(source.read_text(encoding="utf-8"))
    momento_port = services.momento.address.rsplit(":", 1)[1]
    moto_port = services.moto_endpoint.rsplit(":", 1)[1]
    replace = {
        "MOMENTO_LOCAL_ADDRESS": f"{HOST_ALIAS}:{momento_port}",
        "AWS_ENDPOINT_URL_SSM": f"http://{HOST_ALIAS}:{moto_port}",
        "AWS_ENDPOINT_URL_DYNAMODB": f"http://{HOST_ALIAS}:{moto_port}",
    }
    for variables in document.values():
        for name in replace.keys() & variables.keys():
            variables[name] = replace[name]
    # For every function (local_template declares it), as make dev gives it: momento-local already runs by it.
    document.setdefault("Parameters", {}).update(offset_environment(services.clock_offset_s))
    target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return target


class SamLocal:
    """One run: the engine, the image, the local services, the built template; stop() undoes what it started."""

    def __init__(
        self, work_dir: Path = WORK_DIR, momento_port: int = 0, moto_port: int = 0, clock_offset_s: float = 0.0
    ) -> None:
        self.engine: Engine | None = None
        self.services: LocalServices | None = None
        self.momento_port, self.moto_port = momento_port, moto_port
        self.clock_offset_s = clock_offset_s  # the stack's clock from the system's (NOW=...; 0: the system's)
        self.architecture = host_architecture()
        self.invoke_image: str | None = None
        self.parameter_overrides: list[str] = []  # KEY=VALUE, after Architecture
        self.work_dir = work_dir
        self.env_file = work_dir / "env.json"
        self.built_template = work_dir / "build" / "template.yaml"
        sam = Path(sys.executable).with_name("sam")
        self.sam = str(sam)
        self.environment = {
            **os.environ,
            "SAM_CLI_TELEMETRY": "0",
            "PATH": f"{sam.parent}{os.pathsep}{os.environ.get('PATH', '')}",  # sam build needs python3.13
            **credentials_environment(),  # sam local hands them to the containers; moto accepts any
        }

    def start(self) -> None:
        self.engine = detect_engine()
        for note in self.engine.notes:
            print(note, file=sys.stderr)
        self.environment.update(self.engine.environment)
        if self.engine.name == "podman":
            runtime = self._runtime()
            self.invoke_image = lambda_image(self.engine, runtime, self.architecture)
        logging.getLogger("samcli").setLevel(logging.ERROR)
        app = load_application(Path("template.yaml"), Path("events/env.json"))
        # 0.0.0.0: the containers reach the host through the bridge's address, not through loopback.
        self.services = start_local_services(
            app,
            host="0.0.0.0",  # noqa: S104
            momento_port=self.momento_port,
            moto_port=self.moto_port,
            clock_offset_s=self.clock_offset_s,
        )
        template = local_template(Path("template.yaml"), self.work_dir)
        env_vars(Path("events/env.json"), self.services, self.env_file)
        build = [
            self.sam,
            "build",
            "--cached",
            "--template-file",
            str(template),
            "--build-dir",
            str(self.built_template.parent),
        ]
        subprocess.run([*build, *self._parameters()], env=self.environment, check=True)

    def _runtime(self) -> str:
        document = yaml_parse(Path("template.yaml").read_text(encoding="utf-8"))
        runtime: str = document["Globals"]["Function"]["Runtime"]
        return runtime

    def _parameters(self) -> list[str]:
        # The local template has no layer, so the functions read the key with boto3 (LOCAL_PARAMETERS: no extension).
        given = dict(item.split("=", 1) for item in self.parameter_overrides)
        overrides = {"Architecture": self.architecture, **LOCAL_PARAMETERS, **given}
        return ["--parameter-overrides", " ".join(f"{name}={value}" for name, value in overrides.items())]

    def local_options(self) -> list[str]:
        """What every `sam local` command of this run takes."""
        assert self.engine is not None  # noqa: S101 - start() came first
        options = [
            "--template-file", str(self.built_template), "--env-vars", str(self.env_file), *self._parameters(),
            "--add-host", f"{HOST_ALIAS}:{self.engine.host_address}",
        ]  # fmt: skip
        if self.invoke_image:
            options += ["--invoke-image", self.invoke_image, "--skip-pull-image"]
        return options

    def sam_command(self, *args: str) -> list[str]:
        """`sam local ...` through devserver.sam_cli: SAM CLI itself, without the noise of its stop."""
        return [sys.executable, "-m", "devserver.sam_cli", "local", *args, *self.local_options()]

    def stop(self) -> None:
        if self.services is not None:
            self.services.stop()
        if self.engine is not None:
            self.engine.stop()


def event_function(event_file: Path) -> str:
    """The function an event is for, as `make invoke` routes it (its route, the scheduled function, the function a
    table's stream runs), settled before any container starts."""
    logging.getLogger("samcli").setLevel(logging.ERROR)
    template = Path("template.yaml")
    app = load_application(template, Path("events/env.json"))
    return routed_function_id(app, template, event_file, read_event(event_file))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_until_stopped(command: list[str], environment: dict[str, str]) -> int:
    """Runs SAM CLI; Ctrl-C or SIGTERM gives it one SIGINT, on which it removes its warm containers, before the rest
    stops.

    SAM CLI runs in a process group of its own, as podman's API does: Ctrl-C reaches the terminal's whole group, and
    a second SIGINT (the terminal's, then ours) would cut SAM's clean-up short, leaving its containers running."""
    signal.signal(signal.SIGTERM, _interrupt)
    # Not ignored in SAM CLI even when this process was started with SIGINT ignored (a shell's `&`).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sam = subprocess.Popen(command, env=environment, process_group=0)
    try:
        return sam.wait()
    except KeyboardInterrupt:
        # One stop is enough: a second Ctrl-C must not interrupt the clean-up that follows.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sam.send_signal(signal.SIGINT)
        try:
            sam.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sam.kill()
            print(
                "SAM CLI did not stop within 30 s: its warm containers may still run (docker/podman ps)",
                file=sys.stderr,
            )
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devserver.sam_local", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    api = sub.add_parser("start-api", help="sam local start-api (the default)")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=3000)
    api.add_argument("--warm-containers", default="LAZY", choices=["EAGER", "LAZY", "NONE"])
    invoke = sub.add_parser("invoke", help="sam local invoke [FUNCTION] --event EVENT")
    invoke.add_argument("function", nargs="?", help="a logical id; none: the function the event is for, as make invoke")
    invoke.add_argument("--event", default="events/submit-score.json")
    for subcommand in (api, invoke):
        subcommand.add_argument("--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE", help="parameters")
    parser.add_argument("--work-dir", type=Path, default=WORK_DIR, help=f"where this run's files go [{WORK_DIR}]")
    parser.add_argument(
        "--now",
        type=parse_now,
        default=None,
        metavar="ISO-8601",
        help=f"start the stack's clock at this instant (such as {EXAMPLE}), running from there (docs/time-travel.md)",
    )
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if args.command == "invoke" and not args.function:
        try:
            args.function = event_function(Path(args.event))
        except PlanError as error:
            print(f"sam-invoke: {error}", file=sys.stderr)
            return 2
    run = SamLocal(args.work_dir, clock_offset_s=offset_to(args.now))
    if args.now is not None:
        print(clock_note(args.now, run.clock_offset_s).strip(), file=sys.stderr)
    run.parameter_overrides = getattr(args, "parameter_overrides", [])
    try:
        run.start()
        if args.command == "invoke":
            command = run.sam_command("invoke", args.function, "--event", args.event)
        else:
            host, port, warm = getattr(args, "host", "127.0.0.1"), getattr(args, "port", 3000), "LAZY"
            warm = getattr(args, "warm_containers", warm)
            command = run.sam_command("start-api", "--host", host, "--port", str(port))
            if warm != "NONE":
                command += ["--warm-containers", warm]
        return run_until_stopped(command, run.environment)
    except EngineUnavailable as reason:
        print(f"sam local cannot run here: {reason}. `make dev` needs no container engine.", file=sys.stderr)
        return NO_ENGINE
    except subprocess.CalledProcessError as failed:
        print(f"{failed.cmd[1]} failed ({failed.returncode})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        run.stop()


if __name__ == "__main__":
    sys.exit(main())
