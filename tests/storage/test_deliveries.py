import asyncio

from storage import DeliveryRecord, Storage
from tests.storage.conftest import at, make_brief


async def _brief(storage: Storage) -> int:
    return (await storage.briefs.publish(make_brief(), by=None, at=at(0))).id


async def test_claim_is_exactly_once(storage: Storage) -> None:
    b = await _brief(storage)

    assert await storage.deliveries.claim(b, 1, at=at(1)) is True
    assert await storage.deliveries.claim(b, 1, at=at(2)) is False
    assert await storage.deliveries.get(b, 1) == DeliveryRecord(
        brief_id=b,
        chat_id=1,
        status="sending",
        attempts=1,
        message_ids=(),
        last_error=None,
        updated_at=at(1),
    )


async def test_a_failed_delivery_can_be_claimed_again(storage: Storage) -> None:
    b = await _brief(storage)
    await storage.deliveries.claim(b, 1, at=at(1))
    await storage.deliveries.mark_failed(b, 1, "Timed out", at=at(2))
    failed = await storage.deliveries.get(b, 1)
    assert failed is not None
    assert (failed.status, failed.last_error, failed.attempts) == ("failed", "Timed out", 1)

    assert await storage.deliveries.claim(b, 1, at=at(3)) is True
    assert await storage.deliveries.claim(b, 1, at=at(3)) is False
    again = await storage.deliveries.get(b, 1)
    assert again is not None
    assert (again.status, again.attempts, again.updated_at) == ("sending", 2, at(3))


async def test_a_sent_delivery_is_never_claimed_or_downgraded(storage: Storage) -> None:
    b = await _brief(storage)
    await storage.deliveries.claim(b, 1, at=at(1))
    await storage.deliveries.mark_sent(b, 1, [101, 102], at=at(2))

    assert await storage.deliveries.claim(b, 1, at=at(3)) is False
    await storage.deliveries.mark_failed(b, 1, "late error", at=at(4))
    assert await storage.deliveries.release_in_flight() == 0
    sent = await storage.deliveries.get(b, 1)
    assert sent == DeliveryRecord(
        brief_id=b,
        chat_id=1,
        status="sent",
        attempts=1,
        message_ids=(101, 102),
        last_error=None,
        updated_at=at(2),
    )


async def test_concurrent_claims_give_the_chat_to_one_sender(storage: Storage) -> None:
    b = await _brief(storage)
    results = await asyncio.gather(*(storage.deliveries.claim(b, 7, at=at(1)) for _ in range(50)))
    assert results.count(True) == 1


async def test_claim_many_claims_only_what_is_free(storage: Storage) -> None:
    b = await _brief(storage)
    other = await _brief(storage)
    await storage.deliveries.claim(b, 2, at=at(1))
    await storage.deliveries.claim(b, 3, at=at(1))
    await storage.deliveries.mark_sent(b, 3, [1], at=at(1))
    await storage.deliveries.claim(b, 4, at=at(1))
    await storage.deliveries.mark_failed(b, 4, "x", at=at(1))

    claimed = await storage.deliveries.claim_many(b, [5, 4, 3, 2, 1, 5], at=at(2))

    assert claimed == [5, 4, 1]
    assert await storage.deliveries.claim_many(b, [1, 4, 5], at=at(3)) == []
    assert await storage.deliveries.claim_many(b, [], at=at(3)) == []
    assert await storage.deliveries.claim_many(other, [1, 2], at=at(3)) == [1, 2]


async def test_release_in_flight_makes_sending_rows_retryable(storage: Storage) -> None:
    b = await _brief(storage)
    await storage.deliveries.claim_many(b, [1, 2, 3], at=at(1))
    await storage.deliveries.mark_sent(b, 3, [9], at=at(2))

    assert await storage.deliveries.release_in_flight() == 2

    released = await storage.deliveries.get(b, 1)
    assert released is not None
    assert released.status == "failed"
    assert await storage.deliveries.claim_many(b, [1, 2, 3], at=at(3)) == [1, 2]


async def test_sent_copies_and_undelivered(storage: Storage) -> None:
    b1 = await _brief(storage)
    b2 = await _brief(storage)
    b3 = await _brief(storage)
    for chat_id in (30, 10, 20):
        await storage.deliveries.claim(b1, chat_id, at=at(1))
    await storage.deliveries.mark_sent(b1, 30, [3], at=at(2))
    await storage.deliveries.mark_sent(b1, 10, [1, 2], at=at(2))
    await storage.deliveries.mark_failed(b1, 20, "Forbidden", at=at(2))
    await storage.deliveries.claim(b2, 10, at=at(2))

    copies = await storage.deliveries.sent_copies(b1)

    assert [(d.chat_id, d.message_ids) for d in copies] == [(10, (1, 2)), (30, (3,))]
    assert await storage.deliveries.sent_copies(b2) == []
    assert await storage.deliveries.undelivered(10, [b3, b2, b1]) == [b3, b2]
    assert await storage.deliveries.undelivered(20, [b1, b2]) == [b1, b2]
    assert await storage.deliveries.undelivered(20, []) == []


async def test_get_unknown_delivery_is_none(storage: Storage) -> None:
    assert await storage.deliveries.get(1, 1) is None


async def test_failed_for_lists_a_chats_failed_briefs_that_still_stand(storage: Storage) -> None:
    old = await storage.briefs.publish(make_brief("old"), by=None, at=at(0))
    new = await storage.briefs.publish(make_brief("new"), by=None, at=at(5))
    gone = await storage.briefs.publish(make_brief("gone"), by=None, at=at(6))
    sent = await _brief(storage)
    for brief_id in (new.id, old.id, gone.id, sent):
        await storage.deliveries.claim(brief_id, 1, at=at(10))
        await storage.deliveries.mark_failed(brief_id, 1, "Bad Gateway", at=at(11))
    await storage.deliveries.mark_sent(sent, 1, [5], at=at(12))
    await storage.briefs.retract(gone.id, by=None, at=at(13))
    await storage.deliveries.claim(old.id, 2, at=at(10))  # another chat's, still sending

    failed = await storage.deliveries.failed_for(1, since=at(0))

    assert [(h.id, h.title, h.published_at) for h in failed] == [
        (old.id, "old title", at(0)),
        (new.id, "new title", at(5)),
    ]
    # Failures from before the chat's current subscription are not owed to it.
    assert await storage.deliveries.failed_for(1, since=at(12)) == []
    assert await storage.deliveries.failed_for(2, since=at(0)) == []


async def test_many_sends_are_recorded_together_each_with_its_own_ids(storage: Storage) -> None:
    b = await _brief(storage)
    other = await _brief(storage)
    await storage.deliveries.claim_many(b, [1, 2, 3], at=at(1))
    await storage.deliveries.mark_failed(b, 2, "Timed out", at=at(2))
    await storage.deliveries.claim(other, 1, at=at(2))

    await storage.deliveries.mark_sent_many(
        [(b, 1, [11]), (b, 2, [21, 22]), (other, 1, [31])], at=at(3)
    )

    sent = [await storage.deliveries.get(brief, chat) for brief, chat in ((b, 1), (b, 2))]
    assert [(d.status, d.message_ids, d.last_error) for d in sent if d] == [
        ("sent", (11,), None),
        ("sent", (21, 22), None),
    ]
    assert await storage.deliveries.get(other, 1) == DeliveryRecord(
        brief_id=other,
        chat_id=1,
        status="sent",
        attempts=1,
        message_ids=(31,),
        last_error=None,
        updated_at=at(3),
    )
    untouched = await storage.deliveries.get(b, 3)
    assert untouched is not None
    assert untouched.status == "sending"
