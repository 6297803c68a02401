"""What `make sam-local` installs where podman is missing, with apt-get faked: every package it will need, at once."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from devserver import container_engine, lambda_image
from devserver.container_engine import Engine


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[list[str]]]:
    """A root shell with apt-get and the given commands on PATH; answers the apt-get commands run, in order (each
    `install` puts its packages on PATH)."""

    def with_commands(*present: str) -> list[list[str]]:
        on_path = {"apt-get", *present}
        ran: list[list[str]] = []

        def apt_get(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
            ran.append(command[1:])
            if command[1] == "install":
                on_path.update(name for name in command[2:] if not name.startswith("-"))
            return subprocess.CompletedProcess(command, 0, "", "")

        monkeypatch.setattr(shutil, "which", lambda name: name if name in on_path else None)
        monkeypatch.setattr(os, "geteuid", lambda: 0)
        monkeypatch.setattr(subprocess, "run", apt_get)
        return ran

    return with_commands


def test_without_podman_it_installs_podman_runc_and_mmdebstrap_at_once(
    machine: Callable[..., list[list[str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    ran = machine()
    notes: list[str] = []
    container_engine.install_podman(notes)
    assert ran == [["update", "-qq"], ["install", "-y", "-qq", "podman", "runc", "mmdebstrap"]]
    assert "installing podman runc mmdebstrap (apt-get)" in capsys.readouterr().err
    assert notes == ["installed podman runc mmdebstrap from the distribution's packages"]


def test_with_mmdebstrap_already_there_it_installs_only_podman_and_runc(
    machine: Callable[..., list[list[str]]],
) -> None:
    ran = machine("mmdebstrap")
    container_engine.install_podman([])
    assert ran[-1] == ["install", "-y", "-qq", "podman", "runc"]


def test_with_podman_but_no_mmdebstrap_the_image_build_installs_it_first(
    machine: Callable[..., list[list[str]]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given podman without mmdebstrap, and no base image yet
    ran = machine("podman")
    monkeypatch.setattr(lambda_image, "_exists", lambda _engine, _image: False)
    built: list[list[str]] = []
    apt_get = subprocess.run  # the fixture's

    def apt_get_or_mmdebstrap(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
        if command[0] == "apt-get":
            return apt_get(command, **options)  # type: ignore[call-overload,no-any-return]
        built.append(command)
        raise RuntimeError("stop here: the image itself is not built in this test")

    monkeypatch.setattr(subprocess, "run", apt_get_or_mmdebstrap)
    # When the base image is built, mmdebstrap is installed, saying so, then run
    with pytest.raises(RuntimeError, match="stop here"):
        lambda_image.base_image(Engine("podman", {}, host_address="", run_dir=Path()), "python3.13", "x86_64")
    assert ran == [["update", "-qq"], ["install", "-y", "-qq", "mmdebstrap"]]
    assert "installing mmdebstrap (apt-get)" in capsys.readouterr().err
    assert built[0][0] == "mmdebstrap"
