"""The copies users sent with inline mode: recorded once each, found by brief."""

from storage import Storage
from tests.storage.conftest import at, make_brief


async def test_copies_are_recorded_once_and_listed_by_brief(storage: Storage) -> None:
    first = await storage.briefs.publish(make_brief("a"), by=None, at=at(0))
    second = await storage.briefs.publish(make_brief("b"), by=None, at=at(1))
    assert await storage.inline_copies.record("m2", first.id, 7, at=at(3))
    assert await storage.inline_copies.record("m1", first.id, 8, at=at(2))
    assert await storage.inline_copies.record("m3", second.id, 7, at=at(4))
    # Telegram sending the same choice again changes nothing.
    assert not await storage.inline_copies.record("m1", second.id, 9, at=at(5))
    copies = await storage.inline_copies.of_brief(first.id)
    assert [(c.inline_message_id, c.user_id, c.chosen_at) for c in copies] == [
        ("m1", 8, at(2)),
        ("m2", 7, at(3)),
    ]
    assert await storage.inline_copies.count() == 3


async def test_a_copy_of_an_unknown_brief_is_not_recorded(storage: Storage) -> None:
    assert not await storage.inline_copies.record("m1", 404, 7, at=at(0))
    assert await storage.inline_copies.of_brief(404) == []
