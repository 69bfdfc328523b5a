"""Each chat's language (storage/languages.py) and each brief's, on both engines."""

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import time

from storage import ChatLanguage, Storage
from storage.languages import CHATS_PER_READ, LANGUAGE_CODE_CHARS
from tests.storage.conftest import at, make_brief

Reopen = Callable[[], Awaitable[Storage]]
NOTHING = ChatLanguage(chosen=None, seen=None, zone=None)


async def _subscribe(storage: Storage, chat_id: int, zone: str, due: float = 5) -> None:
    await storage.subscribers.subscribe(
        chat_id, delivery_time=time(9), timezone=zone, next_due_at=at(due), at=at(0)
    )


async def test_a_chat_never_seen_has_no_language_and_no_zone(storage: Storage) -> None:
    assert await storage.languages.get(-100) == NOTHING
    assert await storage.languages.of_chats([-100, 5]) == {-100: NOTHING, 5: NOTHING}
    assert await storage.languages.of_chats([]) == {}


async def test_a_choice_and_telegram_s_code_are_kept_apart_and_cleared_apart(
    storage: Storage,
) -> None:
    await storage.languages.seen(7, "pt-BR", at=at(0))
    assert await storage.languages.get(7) == ChatLanguage(chosen=None, seen="pt-BR", zone=None)
    await storage.languages.choose(7, "uk", at=at(1))
    assert await storage.languages.get(7) == ChatLanguage(chosen="uk", seen="pt-BR", zone=None)
    await storage.languages.seen(7, "pt-BR", at=at(2))
    await storage.languages.choose(7, "es", at=at(3))
    assert (await storage.languages.get(7)).chosen == "es"

    await storage.languages.choose(7, None, at=at(4))  # back to Telegram's
    assert await storage.languages.get(7) == ChatLanguage(chosen=None, seen="pt-BR", zone=None)
    await storage.languages.seen(7, None, at=at(5))
    assert await storage.languages.get(7) == NOTHING
    # Clearing what a chat never had makes nothing.
    await storage.languages.choose(8, None, at=at(5))
    await storage.languages.seen(8, "", at=at(5))
    assert await storage.languages.get(8) == NOTHING


async def test_a_telegram_code_of_any_length_is_kept_cut(storage: Storage) -> None:
    await storage.languages.seen(7, " " + "x" * 10_000, at=at(0))
    assert (await storage.languages.get(7)).seen == "x" * LANGUAGE_CODE_CHARS


async def test_a_language_survives_a_restart(storage: Storage, reopen: Reopen) -> None:
    await storage.languages.choose(7, "ar", at=at(0))
    again = await reopen()
    try:
        assert (await again.languages.get(7)).chosen == "ar"
    finally:
        await again.close()


async def test_the_zone_is_the_chat_s_subscription_s_even_once_unsubscribed(
    storage: Storage,
) -> None:
    await _subscribe(storage, 7, "Europe/Kyiv")
    assert await storage.languages.get(7) == ChatLanguage(None, None, "Europe/Kyiv")
    await storage.languages.choose(7, "uk", at=at(1))
    assert await storage.languages.get(7) == ChatLanguage("uk", None, "Europe/Kyiv")
    await storage.subscribers.unsubscribe(7)
    assert (await storage.languages.get(7)).zone == "Europe/Kyiv"


async def test_many_chats_are_read_at_once_past_one_batch(storage: Storage) -> None:
    chats = list(range(1, 2 * CHATS_PER_READ + 50))
    for chat_id in (1, CHATS_PER_READ + 1, 2 * CHATS_PER_READ + 49):
        await storage.languages.choose(chat_id, "es", at=at(0))
    await storage.languages.seen(2, "ru", at=at(0))
    await _subscribe(storage, CHATS_PER_READ + 1, "America/Bogota")

    found = await storage.languages.of_chats([*chats, 2, 1])  # repeated ids read once

    assert set(found) == set(chats)
    assert found[1] == found[2 * CHATS_PER_READ + 49] == ChatLanguage("es", None, None)
    assert found[2] == ChatLanguage(None, "ru", None)
    assert found[CHATS_PER_READ + 1] == ChatLanguage("es", None, "America/Bogota")
    assert found[3] == NOTHING


async def test_a_group_that_becomes_a_supergroup_keeps_its_language(storage: Storage) -> None:
    await _subscribe(storage, -42, "UTC")
    await storage.languages.choose(-42, "ru", at=at(0))
    await storage.languages.seen(-42, "uk", at=at(0))
    await storage.subscribers.migrate(-42, -100042)
    assert await storage.languages.get(-100042) == ChatLanguage("ru", "uk", "UTC")
    assert await storage.languages.get(-42) == NOTHING


async def test_a_supergroup_that_chose_already_keeps_its_own_choice(storage: Storage) -> None:
    await storage.languages.choose(-42, "ru", at=at(0))
    await storage.languages.choose(-100042, "es", at=at(1))
    await storage.subscribers.migrate(-42, -100042)
    assert (await storage.languages.get(-100042)).chosen == "es"
    assert await storage.languages.get(-42) == NOTHING


async def test_the_push_reads_each_chat_s_language_with_its_subscription(
    storage: Storage,
) -> None:
    for chat_id in (1, 2, 3):
        await _subscribe(storage, chat_id, "UTC", due=chat_id)
    await storage.languages.choose(1, "uk", at=at(0))
    await storage.languages.seen(1, "ru", at=at(0))
    await storage.languages.seen(2, "es-419", at=at(0))

    due = await storage.subscribers.due(at(10), limit=10)
    claimed = await storage.subscribers.claim_due(at(10), limit=10, hold_until=at(30))

    expected = [(1, "uk", "ru"), (2, None, "es-419"), (3, None, None)]
    for taken in (due, claimed):
        assert [(s.chat_id, s.chosen_language, s.seen_language) for s in taken] == expected


async def test_a_brief_keeps_its_language_in_each_version(storage: Storage, reopen: Reopen) -> None:
    ukrainian = replace(make_brief("Київ"), language="uk")
    stored = await storage.briefs.publish(ukrainian, by=None, at=at(0))
    assert stored.brief.language == "uk"
    await storage.briefs.correct(stored.id, replace(ukrainian, language="ru"), by=None, at=at(1))
    english = await storage.briefs.publish(make_brief("Kyiv"), by=None, at=at(2))

    again = await reopen()  # read from the database, not from what publishing kept
    try:
        first, current = await again.briefs.version(stored.id, 1), await again.briefs.get(stored.id)
        other = await again.briefs.get(english.id)
        assert first is not None
        assert current is not None
        assert other is not None
        assert (first.brief.language, current.brief.language) == ("uk", "ru")
        assert first.brief == ukrainian
        assert other.brief.language == "en"
        assert await again.briefs.find_published(replace(ukrainian, language="ru")) == current
    finally:
        await again.close()


async def test_what_was_read_follows_every_change_of_language_or_zone(storage: Storage) -> None:
    """On SQLite the chat's row is kept in memory once read: each write that changes it (a
    choice, a code, a subscription's zone, a zone moved, a migration) is seen at once."""
    assert await storage.languages.get(8) == NOTHING
    await storage.languages.choose(8, "es", at=at(1))
    assert await storage.languages.get(8) == ChatLanguage("es", None, None)
    await storage.languages.seen(8, "pt-BR", at=at(2))
    assert await storage.languages.get(8) == ChatLanguage("es", "pt-BR", None)
    await _subscribe(storage, 8, "Europe/Madrid")
    assert (await storage.languages.get(8)).zone == "Europe/Madrid"
    await _subscribe(storage, 8, "America/Bogota")
    assert (await storage.languages.get(8)).zone == "America/Bogota"
    await storage.subscribers.move_zone(8, "America/Bogota", "UTC", at=at(3))
    assert (await storage.languages.get(8)).zone == "UTC"
    assert await storage.languages.get(9) == NOTHING
    await storage.subscribers.migrate(8, 9)
    assert await storage.languages.get(9) == ChatLanguage("es", "pt-BR", "UTC")
    assert await storage.languages.get(8) == NOTHING
