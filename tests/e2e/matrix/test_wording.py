"""What Matrix says where Telegram's words would be wrong: `!language`'s `auto` is the bot's
default language (Matrix reports no app language), `!history` names a Matrix editor by their
Matrix id, the admins' `!help` lists only what Matrix offers, and a MATRIX_ROOM_IDS room the
bot cannot post in is reported as a room, not as a Telegram channel."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import ADMIN_ID
from tests.e2e.matrix.conftest import MatrixBot, MatrixBotFactory, direct_chat
from tests.fakebot import FakeBotApi
from tests.synapse.answers import Message
from tests.synapse.client import MatrixClient
from tests.synapse.server import Homeserver

WAIT = 30.0


async def _ask(
    client: MatrixClient, room: str, bot: MatrixBot, text: str, *, containing: str = ""
) -> Message:
    """The bot's first message after `text` with `containing` in its plain body."""
    sent = await client.send_text(room, text)
    return await client.wait_for_message(
        room, bot.user_id, lambda m: containing in m.body, after=sent, timeout=WAIT
    )


async def test_language_auto_is_the_bots_default_language(
    homeserver: Homeserver, matrix_bot: MatrixBot
) -> None:
    async with homeserver.user("alice") as alice:
        room = await direct_chat(homeserver, alice, matrix_bot)
        menu = await _ask(alice, room, matrix_bot, "!language")
        assert "It is the bot's default language. Choose another below." in menu.body
        assert "✓ The bot's default language: !language auto" in menu.body
        assert "Telegram" not in menu.body

        chosen = await _ask(alice, room, matrix_bot, "!language es", containing="!language auto")
        assert "o el idioma predeterminado del bot, English." in chosen.body
        assert "Idioma predeterminado del bot: !language auto" in chosen.body
        assert "Telegram" not in chosen.body

        back = await _ask(alice, room, matrix_bot, "!language auto", containing="!language auto")
        assert "It is the bot's default language." in back.body
        refused = await _ask(alice, room, matrix_bot, "!language xx")
        assert "!language auto — the bot's default language" in refused.body
        assert "Telegram" not in refused.body


async def _publish(editor: MatrixClient, room: str, bot: MatrixBot, briefs_dir: Path) -> None:
    brief = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    preview = await _ask(editor, room, bot, brief, containing="!publish")
    draft = preview.body.split("!publish ")[1].split()[0]
    done = await _ask(editor, room, bot, f"!publish {draft}")
    assert "Published as brief #1" in done.body


async def test_history_names_a_matrix_editor_and_the_help_lists_what_matrix_offers(
    homeserver: Homeserver, matrix_bot: MatrixBot, briefs_dir: Path
) -> None:
    async with homeserver.client(matrix_bot.editor) as editor:
        room = await direct_chat(homeserver, editor, matrix_bot)
        await _publish(editor, room, matrix_bot, briefs_dir)

        history = await _ask(editor, room, matrix_bot, "!history 1")
        editor_id = matrix_bot.editor.user_id
        assert f"by {editor_id}" in history.body
        link = f'<a href="https://matrix.to/#/{editor_id}">{editor_id}</a>'
        assert link in (history.formatted_body or "")
        assert "tg://" not in (history.formatted_body or "")

        helped = await _ask(editor, room, matrix_bot, "!help")
        assert "Admin help" in helped.body
        assert "!stats — briefs, subscribers and the last push" in helped.body
        assert "!id" not in helped.body
        assert "your user id" not in helped.body
        assert "voice message" not in helped.body
        assert "!unrecord" not in helped.body
        assert "Telegram" not in helped.body


async def test_a_room_the_bot_cannot_post_in_is_reported_as_a_room(
    homeserver: Homeserver, make_matrix_bot: MatrixBotFactory, server: FakeBotApi
) -> None:
    server.user(ADMIN_ID)
    account = await homeserver.fresh_user("briefbot")
    async with homeserver.user("alice") as alice:
        # Invite-only, and the bot never invited: it cannot join.
        closed = await alice.create_room(name="Closed")
        # The bot invited, but messages need a power level it does not have.
        muted = await alice.create_room(name="Announcements")
        levels = await alice.state(muted, "m.room.power_levels")
        levels.setdefault("events", {})["m.room.message"] = 50
        await alice.put_state(muted, "m.room.power_levels", levels)
        await alice.invite(muted, account.user_id)
        async with make_matrix_bot(account=account, MATRIX_ROOM_IDS=f"{closed},{muted}"):
            (report,) = [m for m in server.sent(ADMIN_ID) if closed in m.text]
    text = report.text
    assert "Rooms: briefs cannot be posted in 2 of those in MATRIX_ROOM_IDS" in text
    assert f"{closed}: the bot cannot join it (" in text
    assert "Check the room's id in MATRIX_ROOM_IDS, and invite the bot to the room." in text
    assert f"Announcements ({muted}): the bot's power level there may not send messages." in text
    assert "Give it a power level that may." in text
    assert "CHANNEL_IDS" not in text.replace("MATRIX_ROOM_IDS", "")
    assert "administrator" not in text
    assert "Channels" not in text
