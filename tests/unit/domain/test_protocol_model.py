"""The protocol model's bounded profile (protocol_model.py): a few thousand steps, seconds."""

from __future__ import annotations

from hypothesis.stateful import run_state_machine_as_test

from tests.unit.domain.protocol_model import BOUNDED, STATS, ProtocolModel


def test_the_protocol_holds_its_invariants_over_interleavings_and_faults() -> None:
    run_state_machine_as_test(ProtocolModel, settings=BOUNDED)
    print(f"protocol model: {STATS.examples} examples, {STATS.steps} steps, faults {dict(STATS.faults)}")
