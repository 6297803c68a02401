"""What a developer sees in `make dev` when Momento forgets: the banner's flush command empties the cache, and the
next reads answer exactly as before (rebuilt from the record), over real HTTP."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import ROOT
from tests.support.dev_server import DevServerProcess

KEY = "flush-key"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    log_path: Path = tmp_path_factory.mktemp("flush") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = DevServerProcess("--no-reload", "--api-key", KEY, log=log)
        yield process
        process.stop()


def test_a_flush_through_the_banners_command_changes_no_answer(server: DevServerProcess) -> None:
    with requests.Session() as session:
        for i in range(30):
            response = session.post(
                f"{server.url}/flushed/player-{i:02d}", json={"score": (i * 7) % 11}, headers={"x-api-key": KEY}
            )
            assert response.status_code == 202

        def answers() -> list[object]:
            page = session.get(f"{server.url}/flushed", params={"startRank": "0", "endRank": "40"})
            standings = [session.get(f"{server.url}/flushed/player-{i:02d}") for i in (0, 13, 29)]
            return [page.status_code, page.json()] + [(s.status_code, s.json()) for s in standings]

        before = answers()
        rebuilds_before = rebuilds(server)  # a new board's first write builds its index too
        assert server.flush_command is not None
        assert not server.flush_command.startswith("python ")  # the system's python has no grpc
        # As printed, from a plain shell in the repository: no virtualenv on PATH, no PYTHONPATH
        plain_shell = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(Path.home())}
        flushed = subprocess.run(
            ["/bin/sh", "-c", server.flush_command],
            cwd=ROOT,
            env=plain_shell,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert flushed.returncode == 0, flushed.stderr
        assert "flushed cache" in flushed.stdout
        assert answers() == before
        assert rebuilds(server) == rebuilds_before + 1  # the flush did empty it: the first read rebuilt it


def rebuilds(server: DevServerProcess) -> int:
    server.log.flush()
    return Path(server.log.name).read_text(encoding="utf-8").count("Rebuilt a board's index")
