"""Channels: since when each is configured, and which briefs it is owed."""

from storage import Storage
from tests.storage.conftest import at, make_brief


async def test_configured_once_and_remembered(storage: Storage) -> None:
    assert await storage.channels.known() == {}
    assert await storage.channels.configure(-1001, at=at(5)) == at(5)
    assert await storage.channels.configure(-1001, at=at(9)) == at(5)  # the first time stays
    assert await storage.channels.configure(-1002, at=at(9)) == at(9)
    await storage.state.put("heartbeat", "x", at=at(10))  # other state is not a channel
    assert await storage.channels.known() == {-1001: at(5), -1002: at(9)}


async def test_due_briefs_since_a_moment_until_sent_or_given_up(storage: Storage) -> None:
    old = await storage.briefs.publish(make_brief("old"), by=None, at=at(0))
    first = await storage.briefs.publish(make_brief("a"), by=None, at=at(2))
    second = await storage.briefs.publish(make_brief("b"), by=None, at=at(3))
    withdrawn = await storage.briefs.publish(make_brief("c"), by=None, at=at(4))
    await storage.briefs.retract(withdrawn.id, by=None, at=at(5))
    assert old.id not in await storage.channels.due(-1001, since=at(1), attempts=3)
    assert await storage.channels.due(-1001, since=at(1), attempts=3) == [first.id, second.id]

    assert await storage.deliveries.claim(first.id, -1001, at=at(6))  # being sent: not due
    assert await storage.channels.due(-1001, since=at(1), attempts=3) == [second.id]
    await storage.deliveries.mark_sent(first.id, -1001, [7], at=at(6))
    await storage.deliveries.claim(second.id, -1001, at=at(6))
    await storage.deliveries.mark_failed(second.id, -1001, "403", at=at(6))
    assert await storage.channels.due(-1001, since=at(1), attempts=2) == [second.id]
    await storage.deliveries.claim(second.id, -1001, at=at(7))  # the second attempt
    await storage.deliveries.mark_failed(second.id, -1001, "403", at=at(7))
    assert await storage.channels.due(-1001, since=at(1), attempts=2) == []
    # Another channel owes its own posts.
    assert await storage.channels.due(-1002, since=at(1), attempts=2) == [first.id, second.id]
