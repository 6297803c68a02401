"""The record's change feed reads a changed item's keys back into a scope and a player through the codec: every score
item's key reads back as the scope and player it was made from, and no other item's key reads as a score's."""

from __future__ import annotations

import pytest

from shared.domain.scope import PeriodKey, Scope
from shared.stores.dynamodb.changes import changes_of
from shared.stores.dynamodb.codec import CONNECT_PROBE, registry_key, score_key, score_of_key

SCOPES = [
    Scope("weekly"),
    Scope("weekly", None, 2),
    Scope("weekly", PeriodKey("daily", "2026-11-27")),
    Scope("weekly", PeriodKey("weekly", "2026-W48"), 3),
    Scope("a-b_c.d"),
]
PLAYERS = ["ada", "名前", "player#with#hashes", "x@y:z"]


@pytest.mark.parametrize("scope", SCOPES, ids=str)
@pytest.mark.parametrize("player", PLAYERS)
def test_a_score_items_key_reads_back_as_its_scope_and_player(scope: Scope, player: str) -> None:
    key = score_key(scope, player)
    assert score_of_key(key["pk"]["S"], key["sk"]["S"]) == (scope, player)


@pytest.mark.parametrize(
    "key",
    [registry_key(Scope("weekly")), registry_key(Scope("weekly", PeriodKey("daily", "2026-11-27"))), CONNECT_PROBE],
    ids=["board", "period", "probe"],
)
def test_no_other_items_key_reads_as_a_score(key: dict[str, dict[str, str]]) -> None:
    assert score_of_key(key["pk"]["S"], key["sk"]["S"]) is None


def record(pk: str, sk: str, created: int | None) -> dict[str, object]:
    change: dict[str, object] = {"Keys": {"pk": {"S": pk}, "sk": {"S": sk}}, "StreamViewType": "KEYS_ONLY"}
    if created is not None:
        change["ApproximateCreationDateTime"] = created
    return {"eventSource": "aws:dynamodb", "eventName": "MODIFY", "dynamodb": change}


def test_a_batch_becomes_the_score_changes_timed_from_the_end_of_their_second() -> None:
    # Given a batch of a score change, a registry change, and a score change with no time (Lambda always gives one)
    event = {
        "Records": [
            record("board#weekly@daily:2026-11-27", "player#ada", 1_795_845_600),
            record("boards", "weekly", 1_795_845_600),
            record("board#weekly#2", "player#bob", None),
        ]
    }

    # When read as the feed's changes, on a clock 100 s ahead of the system's (a local stack started later)
    changes = changes_of(event, clock_offset_s=100.0, now_s=5.0)

    # Then the registry's is left out; DynamoDB's second, rounded down, counts from its end, on the domain's clock;
    # a change with no time is taken as now
    assert [(c.scope, c.player, c.at_s) for c in changes] == [
        (Scope("weekly", PeriodKey("daily", "2026-11-27")), "ada", 1_795_845_600 + 1 + 100),
        (Scope("weekly", None, 2), "bob", 5.0),
    ]
