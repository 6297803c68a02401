"""A dev server on the sample application (a copy per module, so tests may edit its code)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.dev_server import DevServerProcess

SAMPLE_APP = Path(__file__).with_name("sample_app")


@pytest.fixture(scope="module")
def sample_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("app") / "sample_app"
    shutil.copytree(SAMPLE_APP, copy)
    return copy


@pytest.fixture(scope="module")
def sample_server(sample_app: Path) -> Iterator[DevServerProcess]:
    with (sample_app / "dev-server.log").open("w", encoding="utf-8") as log:
        server = DevServerProcess(
            "--template", str(sample_app / "template.yaml"), "--env-vars", str(sample_app / "env.json"), log=log
        )
        yield server
        server.stop()
