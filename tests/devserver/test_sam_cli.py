"""devserver.sam_cli: SAM CLI's own entry point, quiet about its containers' ends, through hooks the pinned SAM CLI
has: a container's output shows until SAM CLI stops or removes it, and urllib3's closed-stream error at exit is not
reported."""

from __future__ import annotations

import io
import sys
from types import SimpleNamespace

import pytest
from samcli.local.docker.container import Container
from samcli.local.docker.manager import ContainerManager

from devserver import sam_cli

RUNTIME_LOST = b"[ERROR] [1796659268746] LAMBDA_RUNTIME Failed to get next invocation. No Response from endpoint\n"


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """sam_cli's hooks, for one test (SAM CLI's own functions are back afterwards); what reaches the default
    unraisable hook."""
    monkeypatch.setattr(Container, "_write_container_output", Container.__dict__["_write_container_output"])
    monkeypatch.setattr(ContainerManager, "stop", ContainerManager.stop)
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)
    reported: list[object] = []
    monkeypatch.setattr(sys, "__unraisablehook__", reported.append)
    monkeypatch.setattr(sam_cli, "removing", set())
    sam_cli.quiet_while_removing()
    return reported


class Stopping:
    """A container as SAM CLI's ContainerManager.stop sees one: its id, and a delete() that removes it."""

    def __init__(self, container_id: str) -> None:
        self.id = container_id

    def delete(self) -> None:
        pass


def test_a_containers_output_shows_until_sam_cli_removes_it(quiet: list[object]) -> None:
    # Given two containers SAM CLI relays the output of (as Container.wait_for_logs does, on the container)
    one, other = Stopping("one"), Stopping("other")
    shown = io.BytesIO()
    chunks = [(b"START RequestId: 1\n", None)]
    Container._write_container_output(one, iter(chunks), stdout=shown, stderr=shown)
    assert shown.getvalue() == b"START RequestId: 1\n"
    # When SAM CLI stops and removes one (after an invoke, or on Ctrl-C), through its own ContainerManager.stop
    ContainerManager.stop(SimpleNamespace(do_shutdown_event=False), one)
    # Then what that one prints next (its runtime losing the emulator) is not shown; the other's still is
    Container._write_container_output(one, iter([(None, RUNTIME_LOST)]), stdout=shown, stderr=shown)
    Container._write_container_output(other, iter([(b"END RequestId: 2\n", None)]), stdout=shown, stderr=shown)
    assert shown.getvalue() == b"START RequestId: 1\nEND RequestId: 2\n"


def test_only_urllib3s_closed_stream_at_exit_is_left_unreported(quiet: list[object]) -> None:
    from urllib3.response import HTTPResponse  # noqa: PLC0415 - only this test needs one

    closed = SimpleNamespace(exc_value=ValueError("I/O operation on closed file."), object=HTTPResponse())
    elsewhere = SimpleNamespace(exc_value=ValueError("I/O operation on closed file."), object=object())
    other = SimpleNamespace(exc_value=RuntimeError("a real problem"), object=HTTPResponse())
    for unraisable in (closed, elsewhere, other):
        sys.unraisablehook(unraisable)
    assert quiet == [elsewhere, other]
