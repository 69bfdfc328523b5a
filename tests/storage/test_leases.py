"""Replicas' leases, kept and judged on the database's clock: a beat renews one, a replica
whose lease ran out long enough ago is taken for dead, and a send is confirmed only while
its row is its replica's under a valid lease (storage/replicas.py, still_held)."""

from datetime import timedelta

from storage import Storage
from tests.storage.conftest import at, make_brief

LIVE = timedelta(minutes=5)  # a lease far longer than any test takes
RAN_OUT = timedelta(minutes=-1)  # a lease that ran out a minute ago
LONG_AGO = timedelta(hours=-1)
GRACE = timedelta(minutes=30)  # between the two: the one ran out lately, the other long ago


async def register(storage: Storage, **leases: timedelta) -> None:
    for replica, lease in leases.items():
        await storage.replicas.join(replica, lease=lease)


async def test_a_replica_whose_lease_ran_out_long_ago_is_taken_for_dead(
    storage: Storage,
) -> None:
    await register(storage, live=LIVE, late=RAN_OUT, dead=LONG_AGO, other=LONG_AGO)
    # Only those whose lease ran out more than the grace ago: "late" may still beat.
    assert await storage.replicas.take_for_dead(grace=GRACE) == ["dead", "other"]
    assert await storage.replicas.take_for_dead(grace=GRACE) == []
    assert await storage.replicas.beat("late", lease=LIVE) is True
    assert await storage.replicas.beat("live", lease=LIVE) is True
    # A replica taken for dead learns it at its next beat, which renews nothing.
    assert await storage.replicas.beat("dead", lease=LIVE) is False
    assert await storage.replicas.take_for_dead(grace=timedelta(0)) == []
    # Joining again registers it anew.
    await storage.replicas.join("dead", lease=LIVE)
    assert await storage.replicas.beat("dead", lease=LIVE) is True


async def test_a_beat_that_renews_a_lapsed_lease_saves_the_replica(storage: Storage) -> None:
    await register(storage, stalled=LONG_AGO)
    assert await storage.replicas.beat("stalled", lease=LIVE) is True  # back in time
    assert await storage.replicas.take_for_dead(grace=timedelta(0)) == []


async def test_leave_and_forget_drop_replicas(storage: Storage) -> None:
    await register(storage, a=LIVE, b=LIVE, c=LIVE, me=LIVE)
    await storage.replicas.leave("c")
    await storage.replicas.leave("never seen")  # nothing to drop: no error
    assert await storage.replicas.beat("c", lease=LIVE) is False
    assert await storage.replicas.forget_all_but("me") == 2
    assert [await storage.replicas.beat(r, lease=LIVE) for r in ("a", "b", "me")] == [
        False,
        False,
        True,
    ]


async def test_still_held_confirms_only_rows_the_owner_holds_under_a_valid_lease(
    storage: Storage,
) -> None:
    b = (await storage.briefs.publish(make_brief(), by=None, at=at(0))).id
    c = (await storage.briefs.publish(make_brief("c"), by=None, at=at(0))).id
    await register(storage, me=LIVE, other=LIVE)
    assert await storage.deliveries.claim_many(b, [1, 2, 3, 4], at=at(1), owner="me")
    assert await storage.deliveries.claim(c, 1, at=at(1), owner="me")
    assert await storage.deliveries.claim(b, 5, at=at(1), owner="other")
    await storage.deliveries.mark_sent(b, 3, [30], at=at(2))
    await storage.deliveries.mark_failed(b, 4, "Timed out", at=at(2), owner="me")
    asked = [(b, 1), (b, 2), (b, 3), (b, 4), (b, 5), (c, 1), (c, 2), (b, 99)]
    held = await storage.deliveries.still_held("me", asked)
    assert held is not None
    assert sorted(held) == sorted([(b, 1), (b, 2), (c, 1)])
    assert await storage.deliveries.still_held("other", asked) == [(b, 5)]
    assert await storage.deliveries.still_held("me", []) == []  # a valid lease, no rows


async def test_still_held_confirms_nothing_once_the_lease_ran_out(storage: Storage) -> None:
    b = (await storage.briefs.publish(make_brief(), by=None, at=at(0))).id
    await register(storage, stalled=LIVE)
    assert await storage.deliveries.claim_many(b, [1, 2], at=at(1), owner="stalled")
    await storage.replicas.join("stalled", lease=RAN_OUT)  # its beats stopped
    # Not taken for dead yet, its claims not released: but it may send none of them.
    assert await storage.deliveries.still_held("stalled", [(b, 1), (b, 2)]) is None
    assert await storage.deliveries.still_held("stalled", []) is None
    assert await storage.replicas.beat("stalled", lease=LIVE) is True
    held = await storage.deliveries.still_held("stalled", [(b, 1), (b, 2)])
    assert held is not None
    assert sorted(held) == [(b, 1), (b, 2)]
    # Taken for dead: nothing it claimed is its own any more, even if it joins again.
    await storage.replicas.join("stalled", lease=LONG_AGO)
    assert await storage.replicas.take_for_dead(grace=GRACE) == ["stalled"]
    assert await storage.deliveries.still_held("stalled", [(b, 1)]) is None
    assert await storage.deliveries.release_in_flight() == 2
    await storage.replicas.join("stalled", lease=LIVE)  # its own, no more
    assert await storage.deliveries.still_held("stalled", [(b, 1), (b, 2)]) == []
