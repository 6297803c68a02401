"""Every rebuild claims the lease under an owner of its own. A value made once per instance would be shared by every
execution environment that SnapStart restores from one snapshot, and by two threads of one instance: two rebuilds
would then each take the other's lease for their own, and both mark the set whole."""

from __future__ import annotations

from tests.unit.domain.support import World


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
