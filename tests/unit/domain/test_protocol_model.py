"""The protocol model (protocol_model.py): its bounded profile in make test, seconds; MODEL_PROFILE=soak (make soak)
runs it until SOAK_STEPS steps."""

from __future__ import annotations

import logging
import os

from hypothesis.stateful import run_state_machine_as_test

from tests.unit.domain.protocol_model import BOUNDED, SOAK, SOAK_STEPS, STATS, ProtocolModel


def test_the_protocol_holds_its_invariants_over_interleavings_and_faults() -> None:
    logging.disable(logging.WARNING)  # the domain's info logs, hundreds of thousands of them in a soak
    try:
        if os.environ.get("MODEL_PROFILE") == "soak":
            while STATS.steps < SOAK_STEPS:
                run_state_machine_as_test(ProtocolModel, settings=SOAK)
        else:
            run_state_machine_as_test(ProtocolModel, settings=BOUNDED)
    finally:
        logging.disable(logging.NOTSET)
    faults = ", ".join(f"{kind} {count:,}" for kind, count in sorted(STATS.faults.items()))
    print(f"\nprotocol model: {STATS.examples:,} examples, {STATS.steps:,} steps; faults injected: {faults}")
