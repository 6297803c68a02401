"""The domain on in-memory fakes of its two stores (see support.py)."""

from __future__ import annotations

import pytest

from tests.unit.domain.support import World


@pytest.fixture
def world() -> World:
    return World()
