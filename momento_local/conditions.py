"""SetIf's conditions (and SetIfNotExists's, which is SetIf's `absent`), judged against a key's current scalar."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """The `condition` cases of `_SetIfRequest`; each member is its proto field's name in upper case."""

    PRESENT = "present"
    PRESENT_AND_NOT_EQUAL = "present and not equal"
    ABSENT = "absent"
    EQUAL = "equal"
    ABSENT_OR_EQUAL = "absent or equal"
    NOT_EQUAL = "absent or not equal"  # the proto's `not_equal`: PresentAndNotEqual exists for the stricter case


@dataclass(frozen=True)
class Condition:
    kind: Kind
    value_to_check: bytes = b""

    def holds(self, current: bytes | None) -> bool:
        """Whether to store, given the key's live scalar (None when the key holds nothing)."""
        match self.kind:
            case Kind.PRESENT:
                return current is not None
            case Kind.PRESENT_AND_NOT_EQUAL:
                return current is not None and current != self.value_to_check
            case Kind.ABSENT:
                return current is None
            case Kind.EQUAL:
                return current == self.value_to_check
            case Kind.ABSENT_OR_EQUAL:
                return current is None or current == self.value_to_check
            case Kind.NOT_EQUAL:
                return current != self.value_to_check


ABSENT = Condition(Kind.ABSENT)
