"""The daily push in Matrix rooms, through the same claim-send-record path as Telegram's
(bot/routing.py sends a Matrix room's brief through the Matrix side): a subscribed room gets
the day's brief once; a room that kicked or banned the bot gets nothing more; the homeserver's
M_LIMIT_EXCEEDED pauses Matrix sends alone, and loses or doubles nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.budget.pacing import Pacer
from bot.core.push.engine import PushEngine
from bot.matrix.ids import is_matrix
from bot.telegram.context import BriefApplication
from storage import Storage
from tests.e2e.conftest import say
from tests.e2e.matrix.conftest import MatrixBot, MatrixBotFactory, direct_chat
from tests.e2e.push.conftest import add_subscribers, delivery, publish
from tests.fakebot import FakeBotApi
from tests.synapse.client import MatrixClient
from tests.synapse.server import Homeserver
from tests.waiting import eventually_async

TELEGRAM_READER = 42


def _engine(application: BriefApplication) -> PushEngine:
    assert application.bot_data.services.push is not None
    return application.bot_data.services.push


async def _chat_id(db_path: Path, room: str) -> int:
    async with await Storage.open(db_path) as storage:
        return await storage.matrix.id_of(room)


async def _make_due(db_path: Path, chat_id: int) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.subscribers.reschedule(
            chat_id, next_due_at=datetime.now(UTC) - timedelta(seconds=1), delivered_at=None
        )


async def _titles(reader: MatrixClient, room: str, bot: MatrixBot) -> list[str]:
    """The first line of each of the bot's messages in the room, edits left out."""
    messages = await reader.messages(room, sender=bot.user_id)
    return [m.body.splitlines()[0] for m in messages if m.replaces is None]


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Pacer, int | None]]:
    """Every pause any Pacer is asked for (the Telegram budget's and the Matrix side's), with
    the chat whose send asked for it."""
    seen: list[tuple[Pacer, int | None]] = []
    pause = Pacer.pause

    def spy(self: Pacer, seconds: float, chat_id: int | None = None) -> None:
        seen.append((self, chat_id))
        pause(self, seconds, chat_id)

    monkeypatch.setattr(Pacer, "pause", spy)
    return seen


async def test_a_subscribed_room_gets_the_days_brief_once(
    homeserver: Homeserver, matrix_bot: MatrixBot, db_path: Path
) -> None:
    async with homeserver.user("alice") as alice:
        room = await direct_chat(homeserver, alice, matrix_bot)
        asked = await alice.send_text(room, "!subscribe 07:00 UTC")
        await alice.wait_for_message(
            room, matrix_bot.user_id, lambda m: "Subscribed." in m.body, after=asked, timeout=20
        )
        chat_id = await _chat_id(db_path, room)
        # As if that was yesterday and its time has come, the push tests' way (a live
        # subscription keeps its start: stopped first).
        async with await Storage.open(db_path) as storage:
            assert await storage.subscribers.unsubscribe(chat_id)
        await add_subscribers(db_path, [chat_id], clock=time(7, 0))
        (stored,) = await publish(db_path, "Bridge vote")

        tally = await _engine(matrix_bot.application).deliver_due()
        assert tally.sent == 1
        pushed = await alice.wait_for_message(
            room, matrix_bot.user_id, lambda m: m.body.startswith("Bridge vote"), timeout=20
        )
        # The summary as /brief shows it, its buttons as commands.
        assert f"!facts {stored.id}" in pushed.body
        record = await delivery(db_path, stored.id, chat_id)
        assert record is not None
        assert record.status == "sent"
        async with await Storage.open(db_path) as storage:
            assert record.message_ids
            assert await storage.matrix.event_of(chat_id, record.message_ids[0]) == (
                pushed.event_id
            )
        # Later runs, overlapping ones, and the room due again: nothing is sent twice.
        engine = _engine(matrix_bot.application)
        await asyncio.gather(engine.deliver_due(), engine.deliver_due())
        await _make_due(db_path, chat_id)
        again = await engine.deliver_due()
        assert again.sent == 0
        assert (await _titles(alice, room, matrix_bot)).count("Bridge vote") == 1


@pytest.mark.parametrize("removal", ["kick", "ban"])
async def test_a_room_that_removes_the_bot_is_unsubscribed_and_gets_nothing_more(
    homeserver: Homeserver,
    matrix_bot: MatrixBot,
    server: FakeBotApi,
    db_path: Path,
    removal: str,
) -> None:
    server.user(TELEGRAM_READER)
    async with homeserver.user("alice") as alice, homeserver.user("bob") as bob:
        room = await alice.create_room(invite=[bob.user_id], name="Newsroom")
        await bob.join(room)
        await alice.invite(room, matrix_bot.user_id)
        await alice.wait_for_membership(room, matrix_bot.user_id, "join", timeout=30)
        asked = await alice.send_text(room, "!subscribe 07:00 UTC")
        await alice.wait_for_message(
            room, matrix_bot.user_id, lambda m: "Subscribed." in m.body, after=asked, timeout=20
        )
        chat_id = await _chat_id(db_path, room)

        remove = alice.kick if removal == "kick" else alice.ban
        await remove(room, matrix_bot.user_id, "too many briefs")

        async def unsubscribed() -> bool:
            async with await Storage.open(db_path) as storage:
                found = await storage.subscribers.get(chat_id)
            return found is not None and not found.active

        await eventually_async(unsubscribed, f"the room to be unsubscribed ({removal})", within=30)
        # A Telegram reader due at the same run shows the run did deliver.
        await add_subscribers(db_path, [TELEGRAM_READER])
        (stored,) = await publish(db_path, "Bridge vote", at=datetime.now(UTC))
        await _make_due(db_path, chat_id)
        tally = await _engine(matrix_bot.application).deliver_due()
        assert tally.sent == 1
        assert [m.text.splitlines()[0] for m in server.sent(TELEGRAM_READER)] == ["Bridge vote"]
        # Nothing claimed, sent or failed for the room: it was not among the due.
        assert (tally.failed, tally.unreachable) == (0, 0)
        assert await delivery(db_path, stored.id, chat_id) is None
        assert "Bridge vote" not in await _titles(alice, room, matrix_bot)


ROOMS = 5


async def test_the_homeservers_rate_limit_pauses_matrix_alone_and_loses_nothing(
    homeserver: Homeserver,
    make_matrix_bot: MatrixBotFactory,
    server: FakeBotApi,
    db_path: Path,
    pauses: list[tuple[Pacer, int | None]],
) -> None:
    reader = server.user(TELEGRAM_READER)
    async with make_matrix_bot(limited=True) as bot, homeserver.user("alice") as alice:
        rooms = [await direct_chat(homeserver, alice, bot) for _ in range(ROOMS)]
        chat_ids = [await _chat_id(db_path, room) for room in rooms]
        # The bot's account may send one message a second, two at once: five rooms at the
        # Matrix side's ten a second meet M_LIMIT_EXCEEDED.
        await homeserver.limit_messages(bot.user_id, per_second=1, burst_count=2)
        await add_subscribers(db_path, [*chat_ids, TELEGRAM_READER])
        (stored,) = await publish(db_path, "Bridge vote")
        services = bot.application.bot_data.services

        push = asyncio.create_task(_engine(bot.application).deliver_due())
        # While the rooms wait their turns, a Telegram reader asks and is answered.
        answer = await say(server, reader, "/facts")
        assert answer
        tally = await push

        assert tally.sent == ROOMS + 1
        assert tally.failed == 0
        for room, chat_id in zip(rooms, chat_ids, strict=True):
            assert (await _titles(alice, room, bot)).count("Bridge vote") == 1
            record = await delivery(db_path, stored.id, chat_id)
            assert record is not None
            assert record.status == "sent"
        # The homeserver did say wait, and only the Matrix side waited: the Telegram budget
        # (replies and the push to Telegram chats) was never paused.
        assert pauses, "the homeserver never limited the bot: the test proves nothing"
        assert all(is_matrix(chat_id) for _, chat_id in pauses)
        assert all(pacer is not services.budget for pacer, _ in pauses)
        flood_wait = services.metrics.registry.get_sample_value("briefbot_flood_wait_seconds_total")
        assert not flood_wait
