"""What the Matrix adapter keeps (storage/matrix.py): integer ids for Matrix names and for
the events the bot sent, events taken once, one replica syncing at a time under a lease on
the database's clock, what a room was told once. Another Storage stands for another
replica."""

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from storage import ConstraintError, Storage
from storage.matrix import MATRIX_ID_BASE, MAX_LEASE_SECONDS
from tests.storage.conftest import at

Reopen = Callable[[], Awaitable[Storage]]

ROOM = "!aBcDeFg:example.org"
ALICE = "@alice:example.org"
LIVE = 300.0  # a lease far longer than any test takes
RAN_OUT = -60.0  # a lease that ran out a minute ago
SLACK = 0.01

PLAUSIBLE = (
    ROOM,
    ALICE,
    "@bob:matrix.example.org:8448",
    "@carol:127.0.0.1",
    "@dave:[::1]:8448",
    "@=old_style+name/1:example.org",  # a historical localpart, any printable ASCII but ':'
    "!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM",  # room version 12: no server name
    "@" + "a" * (255 - len("@:example.org")) + ":example.org",  # 255 characters
)
IMPLAUSIBLE = (
    "",
    "alice",
    "@alice",  # a user always has a server
    "@:example.org",
    "!:example.org",
    "@alice:",
    "!room:",
    "#alias:example.org",  # an alias names a room but is not its id
    "$event:example.org",
    "@al ice:example.org",
    "@alice:exa mple.org",
    "@alice:example.org:port",
    "@alice:example.org\n",
    "@ålice:example.org",
    "@" + "a" * (256 - len("@:example.org")) + ":example.org",  # 256 characters
)


async def test_a_name_gets_one_id_above_every_telegram_id_for_ever(
    storage: Storage, reopen: Reopen
) -> None:
    room = await storage.matrix.id_of(ROOM)
    alice = await storage.matrix.id_of(ALICE)
    assert room >= MATRIX_ID_BASE == 2**53
    assert alice >= MATRIX_ID_BASE
    assert room != alice
    assert await storage.matrix.id_of(ROOM) == room
    assert await storage.matrix.name_of(room) == ROOM
    assert await storage.matrix.name_of(alice) == ALICE
    other = await reopen()  # another replica, or this one after a restart
    try:
        assert await other.matrix.id_of(ALICE) == alice
        assert await other.matrix.name_of(room) == ROOM
        assert await other.matrix.name_of(max(room, alice) + 1) is None
    finally:
        await other.close()
    # Telegram's ids, and ids no row can have, name nothing.
    for number in (0, 42, -1001234567890, MATRIX_ID_BASE - 1, 2**63, -(2**70)):
        assert await storage.matrix.name_of(number) is None


@pytest.mark.parametrize("name", PLAUSIBLE)
async def test_every_plausible_matrix_id_is_taken(storage: Storage, name: str) -> None:
    made = await storage.matrix.id_of(name)
    assert await storage.matrix.name_of(made) == name


async def test_a_name_that_is_not_a_matrix_id_is_refused(storage: Storage) -> None:
    for name in IMPLAUSIBLE:
        with pytest.raises(ValueError, match="not a Matrix room or user id"):
            await storage.matrix.id_of(name)
    # Nothing was kept: the first name made still gets the first id.
    assert await storage.matrix.id_of(ROOM) == MATRIX_ID_BASE


async def test_replicas_asking_for_new_names_at_once_get_one_id_each(
    storage: Storage, reopen: Reopen
) -> None:
    names = [f"@user{n}:example.org" for n in range(8)] + [
        f"!room{n}:example.org" for n in range(8)
    ]
    other = await reopen()
    try:
        asked = [(name, replica) for name in names for replica in (storage, other) * 3]
        ids = await asyncio.gather(*(replica.matrix.id_of(name) for name, replica in asked))
        by_name: dict[str, set[int]] = {}
        for (name, _), made in zip(asked, ids, strict=True):
            by_name.setdefault(name, set()).add(made)
        assert all(len(made) == 1 for made in by_name.values())
        assert len({made.pop() for made in by_name.values()}) == len(names)
        for name in names:  # as each replica reads it afterwards
            assert await other.matrix.name_of(await storage.matrix.id_of(name)) == name
    finally:
        await other.close()


async def test_an_event_sent_gets_a_message_id_of_its_own_in_its_room(
    storage: Storage, reopen: Reopen
) -> None:
    room = await storage.matrix.id_of(ROOM)
    elsewhere = await storage.matrix.id_of("!other:example.org")
    first = await storage.matrix.remember_event(room, "$first")
    second = await storage.matrix.remember_event(room, "$Second-event_id+/=")
    there = await storage.matrix.remember_event(elsewhere, "$first")
    assert len({first, second, there}) == 3
    assert await storage.matrix.remember_event(room, "$first") == first  # remembered again
    other = await reopen()
    try:
        assert await other.matrix.event_of(room, first) == "$first"
        assert await other.matrix.event_of(room, second) == "$Second-event_id+/="
        assert await other.matrix.event_of(elsewhere, there) == "$first"
        # Only in its own room, and only an id that was handed out.
        assert await other.matrix.event_of(elsewhere, first) is None
        assert await other.matrix.event_of(room, max(first, second, there) + 1) is None
        for chat_id, message_id in ((room, 0), (room, -1), (room, 2**64), (5, first), (2**64, 1)):
            assert await other.matrix.event_of(chat_id, message_id) is None
    finally:
        await other.close()


async def test_an_event_of_a_room_never_named_or_not_an_event_is_refused(
    storage: Storage,
) -> None:
    room = await storage.matrix.id_of(ROOM)
    with pytest.raises(ValueError, match="not a Matrix id"):
        await storage.matrix.remember_event(-1001234567890, "$event")  # a Telegram chat
    with pytest.raises(ConstraintError):
        await storage.matrix.remember_event(room + 100, "$event")  # no such name
    for event_id in ("", "$", "event", "$with space", "$" + "e" * 255):
        with pytest.raises(ValueError, match="not a Matrix event id"):
            await storage.matrix.remember_event(room, event_id)
        with pytest.raises(ValueError, match="not a Matrix event id"):
            await storage.matrix.take_event(event_id, at(0))
    assert await storage.matrix.remember_event(room, "$event") >= 1


async def test_an_event_is_taken_once_across_replicas_until_forgotten(
    storage: Storage, reopen: Reopen
) -> None:
    other = await reopen()
    try:
        taken = await asyncio.gather(
            *(replica.matrix.take_event("$ev", at(0)) for replica in (storage, other) * 4)
        )
        assert sorted(taken) == [False] * 7 + [True]
        assert await other.matrix.take_event("$later", at(5))
        assert await storage.matrix.forget_events_before(at(1)) == 1
        assert await storage.matrix.forget_events_before(at(1)) == 0
        assert await other.matrix.take_event("$ev", at(6))  # forgotten: new again
        assert not await storage.matrix.take_event("$later", at(6))
    finally:
        await other.close()


async def test_one_replica_syncs_at_a_time_and_only_the_holder_moves_the_position(
    storage: Storage, reopen: Reopen
) -> None:
    other = await reopen()
    one, two = storage.matrix, other.matrix
    try:
        assert await one.sync_token() is None
        assert not await one.save_sync_token("s0", "one")  # no lease yet
        assert await one.take_sync_lease("one", LIVE)
        assert not await two.take_sync_lease("two", LIVE)
        assert await one.take_sync_lease("one", LIVE)  # renewed
        assert await one.save_sync_token("s1", "one")
        assert not await two.save_sync_token("s-two", "two")
        assert await two.sync_token() == "s1"
        # The holder lets go: the next to ask takes it, and the position is where it was.
        await two.release_sync_lease("one")  # any replica may say who lets go
        assert not await one.save_sync_token("s2", "one")
        assert await two.take_sync_lease("two", LIVE)
        assert not await one.take_sync_lease("one", LIVE)
        await one.release_sync_lease("one")  # not the holder: nothing changes
        assert not await one.take_sync_lease("one", LIVE)
        assert await two.save_sync_token("s2", "two")
        assert await one.sync_token() == "s2"
    finally:
        await other.close()


async def test_a_holder_that_stalled_past_its_lease_cannot_move_the_position_back(
    storage: Storage, reopen: Reopen
) -> None:
    other = await reopen()
    one, two = storage.matrix, other.matrix
    try:
        assert await one.take_sync_lease("one", LIVE)
        assert await one.save_sync_token("s1", "one")
        assert await one.take_sync_lease("one", RAN_OUT)  # its renewals stopped
        # Nobody took it yet, but its time ran out: it may not write.
        assert not await one.save_sync_token("s1-late", "one")
        assert await two.take_sync_lease("two", LIVE)  # taken from it
        assert await two.save_sync_token("s5", "two")
        # The stalled one wakes: its position is older, and it is kept out.
        assert not await one.save_sync_token("s2", "one")
        assert not await one.take_sync_lease("one", LIVE)
        assert await one.sync_token() == "s5"
        # A holder whose lease ran out, nobody having taken it, renews it.
        assert await two.take_sync_lease("two", RAN_OUT)
        assert await two.take_sync_lease("two", LIVE)
        assert await two.save_sync_token("s6", "two")
    finally:
        await other.close()


async def test_replicas_taking_the_lease_at_once_get_it_once(
    storage: Storage, reopen: Reopen
) -> None:
    other = await reopen()
    try:
        for rounds in range(3):  # the row made by the race, then taken from one that ran out
            asked = [
                (r, f"r{rounds}-{n}-{i}") for n in range(4) for i, r in enumerate((storage, other))
            ]
            taken = await asyncio.gather(*(r.matrix.take_sync_lease(o, LIVE) for r, o in asked))
            assert sorted(taken) == [False] * 7 + [True]
            [holder] = [o for (_, o), won in zip(asked, taken, strict=True) if won]
            assert await storage.matrix.take_sync_lease(holder, RAN_OUT)
    finally:
        await other.close()


async def test_a_lease_runs_out_by_the_database_clock(storage: Storage, reopen: Reopen) -> None:
    """A short lease, and each check conclusive whatever the machine's speed: a take that
    answered within the lease of its start was refused, and the take that succeeded
    answered no sooner than the lease after the holder's began (the database runs on this
    machine's clock)."""
    lease = 0.3
    other = await reopen()
    try:
        began = time.monotonic()
        assert await storage.matrix.take_sync_lease("one", lease)
        taken = await other.matrix.take_sync_lease("two", LIVE)
        if time.monotonic() - began < lease - SLACK:
            assert not taken
        deadline = began + 30
        while not taken and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            taken = await other.matrix.take_sync_lease("two", LIVE)
        assert taken
        assert time.monotonic() - began >= lease - SLACK
        assert not await storage.matrix.save_sync_token("s-late", "one")
    finally:
        await other.close()


async def test_a_lease_is_seconds_within_reason(storage: Storage) -> None:
    for seconds in (float("nan"), float("inf"), -float("inf"), MAX_LEASE_SECONDS + 1):
        with pytest.raises(ValueError, match="a sync lease"):
            await storage.matrix.take_sync_lease("one", seconds)
    assert await storage.matrix.take_sync_lease("one", MAX_LEASE_SECONDS)


async def test_a_room_is_told_a_thing_once(storage: Storage, reopen: Reopen) -> None:
    room = await storage.matrix.id_of(ROOM)
    elsewhere = await storage.matrix.id_of("!other:example.org")
    other = await reopen()
    try:
        told = await asyncio.gather(
            *(r.matrix.mark_told(room, "encrypted", at(0)) for r in (storage, other) * 3)
        )
        assert sorted(told) == [False] * 5 + [True]
        assert await other.matrix.mark_told(room, "something else", at(1))
        assert await other.matrix.mark_told(elsewhere, "encrypted", at(1))
        assert not await storage.matrix.mark_told(elsewhere, "encrypted", at(2))
    finally:
        await other.close()
    for what in ("", "x" * 65):
        with pytest.raises(ValueError, match="what a room is told"):
            await storage.matrix.mark_told(room, what, at(3))
    with pytest.raises(ValueError, match="not a Matrix id"):
        await storage.matrix.mark_told(42, "encrypted", at(3))
    with pytest.raises(ConstraintError):
        await storage.matrix.mark_told(elsewhere + 100, "encrypted", at(3))
