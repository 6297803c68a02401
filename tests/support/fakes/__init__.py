"""In-memory fakes of the domain's two ports, held to their real counterparts by one shared suite (tests/stores),
with faults a test arms per call and a clock it moves."""

from tests.support.fakes.clock import Clock
from tests.support.fakes.faults import Call, Faults, Gate
from tests.support.fakes.index import FakeIndex
from tests.support.fakes.record import FakeRecord

__all__ = ["Call", "Clock", "FakeIndex", "FakeRecord", "Faults", "Gate"]
