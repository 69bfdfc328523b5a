"""mark_sent_many: many sends recorded in one transaction, as mark_sent records one."""

from storage import Storage
from tests.storage.conftest import at, make_brief


async def test_mark_sent_many_records_each_copy_and_ends_the_claims(storage: Storage) -> None:
    b = (await storage.briefs.publish(make_brief(), by=None, at=at(0))).id
    assert await storage.deliveries.claim_many(b, [1, 2, 3], at=at(1)) == [1, 2, 3]
    await storage.deliveries.mark_failed(b, 3, "Timed out", at=at(2))

    await storage.deliveries.mark_sent_many(
        [(b, 1, [11]), (b, 2, [21, 22]), (b, 3, [31])], at=at(3)
    )

    copies = await storage.deliveries.sent_copies(b)
    assert [(d.chat_id, d.status, d.message_ids, d.last_error) for d in copies] == [
        (1, "sent", (11,), None),
        (2, "sent", (21, 22), None),
        (3, "sent", (31,), None),
    ]
    assert await storage.deliveries.claim_many(b, [1, 2, 3], at=at(4)) == []
    assert await storage.deliveries.release_in_flight() == 0


async def test_mark_sent_many_of_nothing_does_nothing(storage: Storage) -> None:
    b = (await storage.briefs.publish(make_brief(), by=None, at=at(0))).id
    assert await storage.deliveries.claim_many(b, [1, 2], at=at(1)) == [1, 2]

    await storage.deliveries.mark_sent_many([], at=at(2))

    assert await storage.deliveries.sent_copies(b) == []  # nothing became sent
    assert await storage.deliveries.release_in_flight() == 2  # both claims still in flight
