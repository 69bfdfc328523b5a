"""A room's daily briefs and language from Matrix: `!subscribe`, `!settings`,
`!unsubscribe`, `!language`, as Telegram's commands; in a room that is not a direct chat
only its administrators (by power level) change them."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from storage import Storage, Subscriber
from tests.e2e.matrix.conftest import MatrixBot, MatrixBotFactory, direct_chat
from tests.synapse.client import MatrixClient
from tests.synapse.server import Homeserver

ADMINS_ONLY = "Only the administrators of this group can change its subscription."


async def _subscriber(db_path: Path, room: str) -> Subscriber | None:
    async with await Storage.open(db_path) as storage:
        return await storage.subscribers.get(await storage.matrix.id_of(room))


async def _ask(
    reader: MatrixClient, room: str, bot: MatrixBot, command: str, *, last: str = ""
) -> str:
    """The bot's answer to `command`, as plain text: its first message, or (an answer of
    several) the first with `last` in it, and the ones before it."""
    asked = await reader.send_text(room, command)
    await reader.wait_for_message(
        room, bot.user_id, lambda m: last in m.body, after=asked, timeout=20
    )
    messages = await reader.messages(room, sender=bot.user_id)
    ids = [m.event_id for m in await reader.messages(room)]
    after = [m.body for m in messages if ids.index(m.event_id) > ids.index(asked)]
    return "\n".join(after)


async def test_a_reader_subscribes_changes_and_stops_in_a_direct_chat(
    homeserver: Homeserver, matrix_bot: MatrixBot, db_path: Path
) -> None:
    async with homeserver.user("alice") as alice:
        room = await direct_chat(homeserver, alice, matrix_bot)
        shown = await _ask(alice, room, matrix_bot, "!settings")
        assert "This chat is not subscribed" in shown
        assert "!subscribe" in shown
        assert "/subscribe" not in shown

        done = await _ask(alice, room, matrix_bot, "!subscribe 07:30 Europe/Berlin")
        assert "Subscribed." in done
        assert "07:30" in done
        assert "Europe/Berlin" in done
        stored = await _subscriber(db_path, room)
        assert stored is not None
        assert stored.active
        assert (stored.delivery_time, stored.timezone) == (time(7, 30), "Europe/Berlin")

        bad = await _ask(alice, room, matrix_bot, "!subscribe 25:99")
        assert "25:99" in bad
        shown = await _ask(alice, room, matrix_bot, "!settings")
        assert "07:30" in shown
        assert "Europe/Berlin" in shown
        # The settings' buttons are commands under the text.
        assert "!unsubscribe" in shown

        stopped = await _ask(alice, room, matrix_bot, "!unsubscribe")
        assert "Unsubscribed." in stopped
        stored = await _subscriber(db_path, room)
        assert stored is not None
        assert not stored.active


async def test_without_a_time_the_configured_default_is_taken(
    homeserver: Homeserver, make_matrix_bot: MatrixBotFactory, db_path: Path
) -> None:
    async with (
        make_matrix_bot(DEFAULT_DELIVERY_TIME="06:15", DEFAULT_TIMEZONE="Asia/Tokyo") as bot,
        homeserver.user("alice") as alice,
    ):
        room = await direct_chat(homeserver, alice, bot)
        done = await _ask(alice, room, bot, "!subscribe")
        assert "06:15" in done
        assert "Asia/Tokyo" in done
        stored = await _subscriber(db_path, room)
        assert stored is not None
        assert (stored.delivery_time, stored.timezone) == (time(6, 15), "Asia/Tokyo")


async def test_a_room_chooses_its_language(homeserver: Homeserver, matrix_bot: MatrixBot) -> None:
    async with homeserver.user("alice") as alice:
        room = await direct_chat(homeserver, alice, matrix_bot)
        menu = await _ask(alice, room, matrix_bot, "!language")
        assert "!language es" in menu  # each language's button is its command
        # The choice said, then the menu again, with what is chosen now.
        chosen = await _ask(alice, room, matrix_bot, "!language es", last="!language auto")
        assert "Idioma: Español" in chosen
        # From then on the room is answered in Spanish.
        answer = await _ask(alice, room, matrix_bot, "!unsubscribe")
        assert "Este chat no está suscrito" in answer
        assert "!subscribe" in answer
        back = await _ask(alice, room, matrix_bot, "!language auto", last="!language auto")
        assert "English" in back
        refused = await _ask(alice, room, matrix_bot, "!language xx")
        assert "xx" in refused


async def test_in_a_group_room_only_its_administrators_change_the_subscription(
    homeserver: Homeserver, matrix_bot: MatrixBot, db_path: Path
) -> None:
    async with homeserver.user("alice") as alice, homeserver.user("bob") as bob:
        # Three members: not a direct chat. Bob joins before the bot, so the bot never
        # sees the room with two members.
        room = await alice.create_room(invite=[bob.user_id], name="Newsroom")
        await bob.join(room)
        await alice.invite(room, matrix_bot.user_id)
        await alice.wait_for_membership(room, matrix_bot.user_id, "join", timeout=30)

        refused = await _ask(bob, room, matrix_bot, "!subscribe 08:00 UTC")
        assert ADMINS_ONLY in refused
        assert await _subscriber(db_path, room) is None
        refused = await _ask(bob, room, matrix_bot, "!language es")
        assert ADMINS_ONLY in refused
        # Anyone may look.
        shown = await _ask(bob, room, matrix_bot, "!settings")
        assert "This chat is not subscribed" in shown

        # The room's creator holds every power (room version 12).
        done = await _ask(alice, room, matrix_bot, "!subscribe 08:00 UTC")
        assert "Subscribed." in done
        # A moderator (50) may not change the power levels (100): still refused.
        await alice.set_power_level(room, bob.user_id, 50)
        refused = await _ask(bob, room, matrix_bot, "!unsubscribe")
        assert ADMINS_ONLY in refused
        stored = await _subscriber(db_path, room)
        assert stored is not None
        assert stored.active
        # Made an administrator, at once allowed.
        await alice.set_power_level(room, bob.user_id, 100)
        stopped = await _ask(bob, room, matrix_bot, "!unsubscribe")
        assert "Unsubscribed." in stopped
        stored = await _subscriber(db_path, room)
        assert stored is not None
        assert not stored.active
