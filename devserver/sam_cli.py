"""SAM CLI's `sam` command, as devserver.sam_local runs it: the same entry point, quiet about its containers' ends.

`python -m devserver.sam_cli local start-api ...` is `sam local start-api ...` without two things SAM CLI prints
whenever it removes a container (after each `sam local invoke`, and for every warm container on Ctrl-C), neither of
them a problem:

- What the container prints once SAM CLI has begun to stop or remove it. The runtime emulator (its PID 1) goes
  first, and the function's runtime, still waiting on it for the next event, reports the lost connection
  (`LAMBDA_RUNTIME Failed to get next invocation`, sometimes then awslambdaric's RuntimeError traceback).
- At exit, the `ValueError: I/O operation on closed file` that urllib3 raises when garbage collection closes the
  response of a container's log stream whose socket is already closed ("Exception ignored in ...").

The hooks are SAM CLI's own functions (the pinned version's); tests/devserver/test_sam_cli.py holds them to it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from samcli.cli.main import cli
from samcli.local.docker.container import Container
from samcli.local.docker.manager import ContainerManager

removing: set[str] = set()  # the containers SAM CLI has begun to stop or remove, by id


def quiet_while_removing() -> None:
    """Installs both: a container's output is no longer shown once SAM CLI stops or removes it, and urllib3's
    closed-stream ValueError at exit is not reported."""
    write_output = Container._write_container_output
    stop = ContainerManager.stop

    def write_until_removed(container: Container, output_itr: Iterator[Any], **streams: Any) -> None:
        """Container._write_container_output, which Container.wait_for_logs calls on the container, for what the
        container prints until it is being removed (the rest of its stream is read, and dropped)."""
        write_output((chunk for chunk in output_itr if container.id not in removing), **streams)

    def stop_quietly(manager: ContainerManager, container: Container) -> None:
        if container.id:
            removing.add(container.id)
        stop(manager, container)

    Container._write_container_output = write_until_removed
    ContainerManager.stop = stop_quietly
    sys.unraisablehook = _unless_a_closed_log_stream


def _unless_a_closed_log_stream(unraisable: Any) -> None:
    closed_stream = (
        isinstance(unraisable.exc_value, ValueError)
        and str(unraisable.exc_value) == "I/O operation on closed file."
        and type(unraisable.object).__module__.startswith("urllib3.")
    )
    if not closed_stream:
        sys.__unraisablehook__(unraisable)


def main() -> None:
    sys.argv[0] = "sam"
    quiet_while_removing()
    cli()  # exits with SAM CLI's status


if __name__ == "__main__":
    main()
