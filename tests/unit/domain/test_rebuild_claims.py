"""A rebuild's claim of the lease: under an owner of its own (a value made once per instance would be shared by every
execution environment that SnapStart restores from one snapshot, and by two threads of one instance: two rebuilds
would then each take the other's lease for their own, and both mark the set whole), and only to rebuild a set that
is not whole already."""

from __future__ import annotations

from shared.domain.rebuild import Outcome, Rebuilder
from shared.domain.scope import Scope
from tests.unit.domain.support import KEY, World


def test_two_rebuilds_by_one_instance_claim_under_different_owners(world: World) -> None:
    # Given a board whose set the index lost twice, each time read (and so rebuilt) by the same instance
    for player, score in (("ada", 3), ("grace", 2)):
        world.submit("weekly", player, score)
    owners = []
    for _ in range(2):
        world.index.flush_all()
        world.record.reset_calls()
        # When a read finds the set lost and rebuilds it
        assert [e.player for e in world.ranking("weekly")] == ["ada", "grace"]
        owners += [call.args[1] for call in world.record.history if call.method == "claim_rebuild"]
    # Then each rebuild claimed the lease under its own owner
    assert len(owners) == 2
    assert owners[0] != owners[1]


def test_a_rebuild_that_claims_a_set_another_made_whole_leaves_it_as_it_is(world: World) -> None:
    # Given a board whose lost set another instance rebuilt after this one looked at it
    for player, score in (("ada", 3), ("grace", 2)):
        world.submit("weekly", player, score)
    world.index.flush_all()
    assert [e.player for e in world.ranking("weekly", via=world.instance())] == ["ada", "grace"]
    world.index.reset_calls()
    # When this instance's rebuild claims the lease that the other has given up
    outcome = Rebuilder(world.index, world.record, world.config, world.clock).run(
        Scope("weekly"), KEY, world.clock() + 3
    )
    # Then it finds the set whole and leaves it: nothing emptied, nothing written again
    assert outcome is Outcome.WHOLE
    assert (world.index.calls["forget"], world.index.calls["put_scores"]) == (0, 0)
    assert [e.player for e in world.ranking("weekly")] == ["ada", "grace"]
