"""Readers and group administrators subscribe, change and stop the daily push."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.telegram.context import BriefApplication
from storage import Storage, Subscriber
from tests.e2e.conftest import ADMIN_ID, AppFactory
from tests.fakebot import FakeBotApi, FakeUser, SentMessage
from tests.waiting import eventually_async

READER = 42
ADMIN = 7
MEMBER = 8
GROUP = -500


async def ask(server: FakeBotApi, user: FakeUser, text: str, chat_id: int | None = None) -> str:
    target = chat_id if chat_id is not None else user.id
    before = len(server.sent(target))
    chat = server.world.chats[target] if chat_id is not None else None
    await server.send_text(user, text, chat=chat)
    sent = await server.wait_sent(target, before + 1)
    return sent[before].text


async def stored(db_path: Path, chat_id: int) -> Subscriber | None:
    async with await Storage.open(db_path) as storage:
        return await storage.subscribers.get(chat_id)


async def test_subscribe_with_a_time_and_a_zone(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    reader = server.user(READER)
    reply = await ask(server, reader, "/subscribe 07:30 Europe/Berlin")
    assert "Subscribed" in reply
    assert "07:30" in reply
    assert "Europe/Berlin" in reply
    subscriber = await stored(db_path, READER)
    assert subscriber is not None
    assert subscriber.active
    assert subscriber.delivery_time == time(7, 30)
    assert subscriber.timezone == "Europe/Berlin"
    # Due at the next 07:30 on Berlin's clocks: the same wall time a day earlier has passed.
    # Not "within 24 hours": on the eve of a change of clocks the next 07:30 is 25 hours on.
    local = subscriber.next_due_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (7, 30)
    assert local - timedelta(days=1) <= datetime.now(UTC) < subscriber.next_due_at


async def test_subscribe_alone_uses_the_configured_defaults(
    server: FakeBotApi, make_app: AppFactory, db_path: Path
) -> None:
    reader = server.user(READER)
    async with make_app(DEFAULT_DELIVERY_TIME="06:45", DEFAULT_TIMEZONE="Asia/Tokyo"):
        reply = await ask(server, reader, "/subscribe")
    assert "06:45" in reply
    assert "Asia/Tokyo" in reply
    subscriber = await stored(db_path, READER)
    assert subscriber is not None
    assert (subscriber.delivery_time, subscriber.timezone) == (time(6, 45), "Asia/Tokyo")


async def test_a_city_name_resolves_to_its_zone(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    reader = server.user(READER)
    reply = await ask(server, reader, "/subscribe 9:05 new york")
    assert "America/New_York" in reply
    subscriber = await stored(db_path, READER)
    assert subscriber is not None
    assert subscriber.timezone == "America/New_York"
    assert subscriber.delivery_time == time(9, 5)


async def test_an_unknown_zone_gets_suggestions_and_subscribes_nothing(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    reader = server.user(READER)
    reply = await ask(server, reader, "/subscribe 07:30 Berlinn")
    assert "Berlinn" in reply
    assert "/subscribe 07:30 Europe/Berlin" in reply
    assert await stored(db_path, READER) is None


async def test_the_suggestion_for_an_unknown_zone_keeps_the_readers_time(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    reader = server.user(READER)
    reply = await ask(server, reader, "/subscribe 7.30 Berlinn")
    assert "/subscribe 07:30 Europe/Berlin" in reply
    assert "08:00" not in reply
    assert await stored(db_path, READER) is None


async def test_a_bad_time_is_explained(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    reader = server.user(READER)
    reply = await ask(server, reader, "/subscribe 25:00 UTC")
    assert "25:00" in reply
    assert "HH:MM" in reply
    assert await stored(db_path, READER) is None


async def test_unsubscribe_stops_and_says_so_twice(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    reader = server.user(READER)
    await ask(server, reader, "/subscribe")
    assert "Unsubscribed" in await ask(server, reader, "/unsubscribe")
    subscriber = await stored(db_path, READER)
    assert subscriber is not None
    assert not subscriber.active
    assert "not subscribed" in await ask(server, reader, "/unsubscribe")


async def press(server: FakeBotApi, user: FakeUser, message: SentMessage, label: str) -> str:
    data = message.button(label)["callback_data"]
    edits = _current(server, message).edits
    redraws = len(_edits(server, message))
    query_id = await server.press_button(user, message, data)
    await server.wait_for_call(
        "answerCallbackQuery", where=lambda c: c.params["callback_query_id"] == query_id
    )
    answer = server.callback_answer(query_id)
    assert answer is not None
    if "administrators" not in str(answer.get("text")):
        await server.wait_for_call(
            "editMessageText",
            count=redraws + 1,
            where=lambda c: c.params["message_id"] == message.message_id,
        )
        assert _current(server, message).edits > edits
    return str(answer.get("text"))


def _edits(server: FakeBotApi, message: SentMessage) -> list[object]:
    return [
        c
        for c in server.calls
        if c.method == "editMessageText" and c.params.get("message_id") == message.message_id
    ]


def _current(server: FakeBotApi, message: SentMessage) -> SentMessage:
    return server.world.messages[(message.chat_id, message.message_id)]


async def test_settings_buttons_change_time_and_zone(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    reader = server.user(READER)
    text = await ask(server, reader, "/settings")
    assert "not subscribed" in text
    [settings] = server.sent(READER)[-1:]
    await press(server, reader, settings, "Subscribe")
    current = server.sent(READER)[-1]
    assert "08:00" in current.text
    assert "UTC" in current.text
    await press(server, reader, current, "07:00")
    await press(server, reader, server.sent(READER)[-1], "Europe/Berlin")
    shown = server.sent(READER)[-1]
    assert "07:00" in shown.text
    assert "Europe/Berlin" in shown.text
    subscriber = await stored(db_path, READER)
    assert subscriber is not None
    assert (subscriber.delivery_time, subscriber.timezone) == (time(7, 0), "Europe/Berlin")
    await press(server, reader, shown, "Unsubscribe")
    subscriber = await stored(db_path, READER)
    assert subscriber is not None
    assert not subscriber.active
    assert "not subscribed" in server.sent(READER)[-1].text


async def test_only_group_admins_subscribe_a_group(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    admin = server.user(ADMIN, "Admin")
    member = server.user(MEMBER, "Member")
    server.group(GROUP, "Readers", admins=[ADMIN])
    refused = await ask(server, member, "/subscribe 07:00 UTC", chat_id=GROUP)
    assert "Only the administrators" in refused
    assert await stored(db_path, GROUP) is None
    accepted = await ask(server, admin, "/subscribe 07:00 UTC", chat_id=GROUP)
    assert "Subscribed" in accepted
    assert await stored(db_path, GROUP) is not None
    refused = await ask(server, member, "/unsubscribe", chat_id=GROUP)
    assert "Only the administrators" in refused
    subscriber = await stored(db_path, GROUP)
    assert subscriber is not None
    assert subscriber.active


async def test_a_member_cannot_press_group_settings(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    admin = server.user(ADMIN, "Admin")
    member = server.user(MEMBER, "Member")
    server.group(GROUP, "Readers", admins=[ADMIN])
    await ask(server, admin, "/subscribe 07:00 UTC", chat_id=GROUP)
    await ask(server, member, "/settings", chat_id=GROUP)
    settings = server.sent(GROUP)[-1]
    answer = await press(server, member, settings, "Unsubscribe")
    assert "administrators" in answer
    subscriber = await stored(db_path, GROUP)
    assert subscriber is not None
    assert subscriber.active


async def test_blocking_pauses_and_unblocking_resumes(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    reader = server.user(READER)
    await ask(server, reader, "/subscribe")
    server.block(reader)
    await _wait_blocked(server, db_path, True)
    server.unblock(reader)
    await _wait_blocked(server, db_path, False)


async def _wait_blocked(server: FakeBotApi, db_path: Path, blocked: bool) -> None:
    async def marked() -> bool:
        subscriber = await stored(db_path, READER)
        return subscriber is not None and subscriber.blocked == blocked

    await eventually_async(marked, f"the subscriber to be stored as blocked={blocked}")


async def test_pressing_the_setting_already_chosen_is_quietly_answered(
    server: FakeBotApi, make_app: AppFactory, db_path: Path
) -> None:
    reader = server.user(READER)
    async with make_app():
        await ask(server, reader, "/subscribe 08:00 UTC")
        await ask(server, reader, "/settings")
        settings = server.sent(READER)[-1]
        for label in ("· 08:00 ·", "· UTC ·"):
            data = settings.button(label)["callback_data"]
            await _answered(server, [await server.press_button(reader, settings, data)])
        await press(server, reader, settings, "Unsubscribe")
        # A double tap: both presses leave before the first redraw arrives.
        data = settings.button("Subscribe")["callback_data"]
        await _answered(server, [await server.press_button(reader, settings, data) for _ in "12"])
    # Only Unsubscribe and one of the two taps changed what the message shows.
    assert len(_edits(server, settings)) <= 3
    assert _current(server, settings).edits == 2
    assert "Next delivery" in _current(server, settings).text
    assert [m.text for m in server.sent(READER)][-1] == _current(server, settings).text
    assert not any("went wrong" in m.text for m in server.sent(READER))
    assert server.sent(ADMIN_ID) == []
    subscriber = await stored(db_path, READER)
    assert subscriber is not None
    assert subscriber.active


async def _answered(server: FakeBotApi, query_ids: list[str]) -> None:
    await server.wait_for_call(
        "answerCallbackQuery",
        count=len(query_ids),
        where=lambda c: c.params["callback_query_id"] in query_ids,
    )


async def test_only_its_own_user_changes_a_private_chats_settings(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    reader = server.user(READER)
    stranger = server.user(MEMBER, "Stranger")
    await ask(server, reader, "/subscribe 07:00 UTC")
    await ask(server, reader, "/settings")
    settings = server.sent(READER)[-1]
    # A press can reach the bot from someone else: a forwarded copy keeps its buttons.
    data = settings.button("Unsubscribe")["callback_data"]
    query_id = await server.press_button(stranger, settings, data)
    await _answered(server, [query_id])
    answer = server.callback_answer(query_id)
    assert answer is not None
    assert "belongs to" in str(answer.get("text"))
    subscriber = await stored(db_path, READER)
    assert subscriber is not None
    assert subscriber.active
    # The chat's own user still can, and sees the message redrawn for the first time.
    assert await press(server, reader, settings, "Unsubscribe") == "Unsubscribed"
    assert _current(server, settings).edits == 1
    subscriber = await stored(db_path, READER)
    assert subscriber is not None
    assert not subscriber.active
