"""MATRIX_ROOM_IDS: every published brief posted to the listed rooms, as to Telegram's
channels (the same poster and delivery record): joined at start, each brief posted once,
its correction an edit (m.replace) of the post, a room the bot cannot join reported to the
admins."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.core.publishing.corrections import replace_copies
from storage import Storage
from tests.e2e.conftest import ADMIN_ID, publish_file
from tests.e2e.matrix.conftest import MatrixBotFactory
from tests.e2e.matrix.test_reading import REFERENCE
from tests.e2e.push.conftest import delivery
from tests.fakebot import FakeBotApi
from tests.synapse.server import Homeserver


async def test_a_listed_room_gets_each_brief_once_and_its_correction_as_an_edit(
    homeserver: Homeserver,
    make_matrix_bot: MatrixBotFactory,
    server: FakeBotApi,
    db_path: Path,
) -> None:
    server.user(ADMIN_ID)
    async with homeserver.user("alice") as alice:
        room = await alice.create_room(public=True, name="Briefs")
        # Invite-only, and the bot never invited: it cannot join.
        closed = await alice.create_room(name="Closed")
        async with make_matrix_bot(MATRIX_ROOM_IDS=f"{room},{closed}") as bot:
            # Joined at start, before anything is published.
            assert await alice.membership(room, bot.user_id) == "join"
            assert await alice.membership(closed, bot.user_id) is None
            # The admins are told which room the bot cannot post in.
            (report,) = [m for m in server.sent(ADMIN_ID) if closed in m.text]
            assert "cannot be posted" in report.text

            # Published after the room was found ready (posts are owed from then on).
            stored = await publish_file(db_path, REFERENCE)
            title = stored.brief.title
            services = bot.application.bot_data.services
            await services.channels.post_due()
            await services.channels.post_due()  # a second pass (or replica) posts nothing
            post = await alice.wait_for_message(
                room, bot.user_id, lambda m: m.body.startswith(title), timeout=20
            )
            # A channel post's buttons open the parts in the bot: here, as commands.
            assert f"!facts {stored.id}" in post.body
            async with await Storage.open(db_path) as storage:
                chat_id = await storage.matrix.id_of(room)
            record = await delivery(db_path, stored.id, chat_id)
            assert record is not None
            assert record.status == "sent"

            corrected_brief = replace(stored.brief, title=f"{title}, corrected")
            async with await Storage.open(db_path) as storage:
                corrected = await storage.briefs.correct(
                    stored.id, corrected_brief, by=None, at=datetime.now(UTC)
                )
            assert corrected is not None
            await replace_copies(
                services.messenger, services.storage, services.renderer, corrected, withdrawn=False
            )
            edit = await alice.wait_for_message(
                room, bot.user_id, lambda m: m.replaces == post.event_id, timeout=20
            )
            assert edit.new_content is not None
            assert str(edit.new_content["body"]).startswith(f"{title}, corrected")
            shown = await alice.shown(room, post.event_id)
            assert shown.body.startswith(f"{title}, corrected")
            # One post, and one edit of it: nothing posted twice.
            messages = await alice.messages(room, sender=bot.user_id)
            assert len([m for m in messages if m.replaces is None]) == 1
