"""Editors in Matrix: an admin publishes from a direct chat with the bot (a pasted brief or a
file, its preview, `!publish` or `!discard`), corrects and withdraws; a brief published in
either app reaches readers in both; a correction or a withdrawal edits the copies pushed to
Matrix rooms (m.replace) beside Telegram's."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import aiohttp

from storage import Storage
from tests.e2e.admin.conftest import READER_ID
from tests.e2e.conftest import ADMIN_ID, press, say
from tests.e2e.matrix.conftest import MatrixBot, MatrixBotFactory, direct_chat
from tests.fakebot import FakeBotApi
from tests.synapse.answers import Message, read_answer
from tests.synapse.client import MatrixClient
from tests.synapse.server import Account, Homeserver

NEW_TITLE = "Harbor Bridge Vote Delayed to March"
TITLE = "Northfield Council Approves Harbor Bridge Toll"
WAIT = 30.0


def _brief(briefs_dir: Path) -> str:
    return (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")


def _corrected(briefs_dir: Path) -> str:
    return "\n".join([NEW_TITLE, *_brief(briefs_dir).splitlines()[1:]])


async def _answer(
    client: MatrixClient, room: str, bot: MatrixBot, sent: str, *, containing: str = ""
) -> Message:
    """The bot's first message after `sent` with `containing` in its plain body."""
    return await client.wait_for_message(
        room, bot.user_id, lambda m: containing in m.body, after=sent, timeout=WAIT
    )


async def _ask(
    client: MatrixClient, room: str, bot: MatrixBot, text: str, *, containing: str = ""
) -> Message:
    return await _answer(
        client, room, bot, await client.send_text(room, text), containing=containing
    )


def _draft_id(preview: Message, step: str = "publish") -> str:
    found = re.search(rf"!{step} (\d+)", preview.body)
    assert found is not None, preview.body
    return found.group(1)


async def _upload(homeserver: Homeserver, account: Account, data: bytes, name: str) -> str:
    """A large file into the media repository, streamed (MatrixClient.upload sends bytes
    whole, which aiohttp warns of past 1 MB); its mxc:// URI."""
    headers = {"Authorization": f"Bearer {account.access_token}", "Content-Type": "text/plain"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.post(
            f"{homeserver.url}/_matrix/media/v3/upload",
            data=io.BytesIO(data),
            params={"filename": name},
        ) as response,
    ):
        uri: str = (await read_answer(response))["content_uri"]
        return uri


async def _subscribe(storage: Storage, chat_id: int) -> None:
    """Subscribed with the daily push far off: only `!push` sends it."""
    now = datetime.now(UTC)
    await storage.subscribers.subscribe(
        chat_id, delivery_time=time(7), timezone="UTC", next_due_at=now + timedelta(days=2), at=now
    )


async def test_an_editor_publishes_a_paste_that_telegram_readers_read(
    homeserver: Homeserver, matrix_bot: MatrixBot, server: FakeBotApi, briefs_dir: Path
) -> None:
    reader = server.user(READER_ID, "Ada")
    async with homeserver.client(matrix_bot.editor) as editor:
        room = await direct_chat(homeserver, editor, matrix_bot)
        sent = await editor.send_text(room, _brief(briefs_dir))
        summary = await _answer(editor, room, matrix_bot, sent)
        assert summary.body.startswith(TITLE)
        preview = await _answer(editor, room, matrix_bot, sent, containing="!publish")
        assert "Preview" in preview.body
        # The preview's buttons as commands, by the draft's number.
        draft = _draft_id(preview)
        assert f"!discard {draft}" in preview.body

        done = await _ask(editor, room, matrix_bot, f"!publish {draft}")
        assert "Published as brief #1" in done.body
        assert "https://matrix.to/#/" + matrix_bot.user_id in done.body
        again = await _ask(editor, room, matrix_bot, f"!publish {draft}")
        assert "expired or was already published" in again.body

        # A Telegram reader reads it.
        [read] = await say(server, reader, "/brief")
        assert read.text.startswith(TITLE)

        # The editor's own commands.
        history = await _ask(editor, room, matrix_bot, "!history 1")
        assert "History of brief #1" in history.body
        stats = await _ask(editor, room, matrix_bot, "!stats")
        assert "1" in stats.body
        helped = await _ask(editor, room, matrix_bot, "!help")
        assert "Admin help" in helped.body
        assert "!correct 3" in helped.body
        assert "/correct" not in helped.body
        readers = await _ask(editor, room, matrix_bot, "!help readers")
        assert "How to read a brief" in readers.body
        blank = await _ask(editor, room, matrix_bot, "!template")
        assert blank.body


async def test_an_editor_sends_files_discards_and_is_told_what_is_refused(
    homeserver: Homeserver, matrix_bot: MatrixBot, briefs_dir: Path, storage: Storage
) -> None:
    async with homeserver.client(matrix_bot.editor) as editor:
        room = await direct_chat(homeserver, editor, matrix_bot)
        data = _brief(briefs_dir).encode()
        sent = await editor.send_file(room, "vote.md", data, "text/markdown")
        preview = await _answer(editor, room, matrix_bot, sent, containing="!discard")
        done = await _ask(editor, room, matrix_bot, f"!discard {_draft_id(preview, 'discard')}")
        assert "discarded" in done.body.lower()
        assert await storage.briefs.count() == 0

        sent = await editor.send_file(room, "vote.pdf", b"%PDF-1.4", "application/pdf")
        refused = await _answer(editor, room, matrix_bot, sent)
        assert "vote.pdf" in refused.body
        assert "is not a file the bot reads" in refused.body

        # Larger than any brief, whatever the event says of its size.
        big = b"x" * (1024 * 1024 + 10)
        uri = await _upload(homeserver, matrix_bot.editor, big, "big.txt")
        content = {"msgtype": "m.file", "body": "big.txt", "url": uri, "info": {"size": 10}}
        sent = await editor.send_event(room, "m.room.message", content)
        refused = await _answer(editor, room, matrix_bot, sent)
        assert "big.txt" in refused.body
        assert "at most 1 MB" in refused.body

        # A file the homeserver will not give: the editor is told to try again.
        gone = {"msgtype": "m.file", "body": "gone.txt", "url": "mxc://test.local/nothing"}
        sent = await editor.send_event(room, "m.room.message", gone)
        failed = await _answer(editor, room, matrix_bot, sent)
        assert "Please try again" in failed.body

        sent = await editor.send_text(room, "Not a brief at all")
        refused = await _answer(editor, room, matrix_bot, sent)
        assert "Not stored" in refused.body or "not" in refused.body.lower()
        assert await storage.briefs.count() == 0

        usage = await _ask(editor, room, matrix_bot, "!publish")
        assert "!publish 3" in usage.body


async def test_nobody_else_publishes_from_matrix(
    homeserver: Homeserver, matrix_bot: MatrixBot, briefs_dir: Path, storage: Storage
) -> None:
    async with homeserver.user("mallory") as mallory:
        room = await direct_chat(homeserver, mallory, matrix_bot)
        for attempt in (_brief(briefs_dir), "!publish 1", "!push", "!stats", "!help"):
            helped = await _ask(mallory, room, matrix_bot, attempt)
            assert "How to read a brief" in helped.body, attempt
        assert await storage.briefs.count() == 0


async def test_a_telegram_editors_brief_is_read_in_matrix(
    homeserver: Homeserver, matrix_bot: MatrixBot, server: FakeBotApi, briefs_dir: Path
) -> None:
    admin = server.user(ADMIN_ID, "Editor")
    _, details = await say(server, admin, _brief(briefs_dir), expect=2)
    _, [done] = await press(server, admin, details, "Publish", expect=1)
    assert "Published as brief #1" in done.text
    async with homeserver.user("alice") as alice:
        room = await direct_chat(homeserver, alice, matrix_bot)
        read = await _ask(alice, room, matrix_bot, "!brief 1")
        assert read.body.startswith(TITLE)


async def test_corrections_and_withdrawals_reach_matrix_copies_beside_telegrams(
    homeserver: Homeserver,
    matrix_bot: MatrixBot,
    server: FakeBotApi,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    reader = server.user(READER_ID, "Ada")
    await _subscribe(storage, reader.id)
    async with (
        homeserver.client(matrix_bot.editor) as editor,
        homeserver.user("alice") as alice,
    ):
        room = await direct_chat(homeserver, editor, matrix_bot)
        alices = await direct_chat(homeserver, alice, matrix_bot)
        await _subscribe(storage, await storage.matrix.id_of(alices))

        preview = await _ask(editor, room, matrix_bot, _brief(briefs_dir), containing="!publish")
        await _ask(editor, room, matrix_bot, f"!publish {_draft_id(preview)}")

        # Pushed to both apps; the status message ends as the push's summary.
        await _ask(editor, room, matrix_bot, "!push 1")
        pushed = await alice.wait_for_message(
            alices, matrix_bot.user_id, lambda m: m.body.startswith(TITLE), timeout=WAIT
        )
        [telegram_copy] = await server.wait_sent(reader.id, 1)

        prompt = await _ask(editor, room, matrix_bot, "!correct 1", containing="Send the")
        assert "Send the corrected brief #1" in prompt.body
        # Sent in reply to the prompt, as Element sends a reply: the quote before the text.
        reply = {
            "msgtype": "m.text",
            "body": f"> <{matrix_bot.user_id}> Send the corrected brief #1\n\n"
            + _corrected(briefs_dir),
            "m.relates_to": {"m.in_reply_to": {"event_id": prompt.event_id}},
        }
        sent = await editor.send_event(room, "m.room.message", reply)
        preview = await _answer(editor, room, matrix_bot, sent, containing="!publish")
        assert "correction to brief #1 (version 2)" in preview.body
        sent = await editor.send_text(room, f"!publish {_draft_id(preview)}")
        corrected = await _answer(editor, room, matrix_bot, sent, containing="corrected")
        assert "Brief #1 corrected (version 2)" in corrected.body
        report = await _answer(editor, room, matrix_bot, sent, containing="Copies")
        # Both copies, Telegram's and Matrix's, are pushed copies.
        # Each app's copies counted apart.
        assert "Copies pushed to readers (Matrix): 1 edited" in report.body
        assert "Copies pushed to readers (Telegram): 1 edited" in report.body

        # In Element: an edit of the pushed message, its new content the correction.
        edit = await alice.wait_for_message(
            alices, matrix_bot.user_id, lambda m: m.replaces == pushed.event_id, timeout=WAIT
        )
        assert edit.relates_to == {"rel_type": "m.replace", "event_id": pushed.event_id}
        assert edit.new_content is not None
        assert str(edit.new_content["body"]).startswith(NEW_TITLE)
        assert NEW_TITLE in str(edit.new_content["formatted_body"])
        shown = await alice.shown(alices, pushed.event_id)
        assert shown.body.startswith(NEW_TITLE)
        assert "Updated" in shown.body
        [telegram_copy] = server.sent(reader.id)
        assert telegram_copy.text.startswith(NEW_TITLE)

        sent = await editor.send_text(room, "!retract 1")
        await _answer(editor, room, matrix_bot, sent, containing="Brief #1 withdrawn")
        report = await _answer(editor, room, matrix_bot, sent, containing="Copies")
        assert "Copies pushed to readers (Matrix): 1 replaced" in report.body
        assert "Copies pushed to readers (Telegram): 1 replaced" in report.body

        async def withdrawn() -> Message | None:
            now = await alice.shown(alices, pushed.event_id)
            return now if "Withdrawn by the editors" in now.body else None

        shown = await alice.until(alices, withdrawn, "the withdrawn note", timeout=WAIT)
        assert shown.body.startswith(NEW_TITLE)
        assert "!facts" not in shown.body  # nothing left that opens the brief
        [telegram_copy] = server.sent(reader.id)
        assert "Withdrawn by the editors" in telegram_copy.text


async def test_a_telegram_correction_edits_the_matrix_copies(
    homeserver: Homeserver,
    matrix_bot: MatrixBot,
    server: FakeBotApi,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    admin = server.user(ADMIN_ID, "Editor")
    async with (
        homeserver.client(matrix_bot.editor) as editor,
        homeserver.user("alice") as alice,
    ):
        room = await direct_chat(homeserver, editor, matrix_bot)
        alices = await direct_chat(homeserver, alice, matrix_bot)
        await _subscribe(storage, await storage.matrix.id_of(alices))
        preview = await _ask(editor, room, matrix_bot, _brief(briefs_dir), containing="!publish")
        await _ask(editor, room, matrix_bot, f"!publish {_draft_id(preview)}")
        await _ask(editor, room, matrix_bot, "!push 1")
        pushed = await alice.wait_for_message(
            alices, matrix_bot.user_id, lambda m: m.body.startswith(TITLE), timeout=WAIT
        )

        await say(server, admin, "/correct 1")
        _, details = await say(server, admin, _corrected(briefs_dir), expect=2)
        _, [done, copies] = await press(server, admin, details, "Publish", expect=2)
        assert "Brief #1 corrected (version 2)" in done.text
        assert "Copies pushed to readers (Matrix): 1 edited" in copies.text

        async def corrected() -> Message | None:
            now = await alice.shown(alices, pushed.event_id)
            return now if now.body.startswith(NEW_TITLE) else None

        await alice.until(alices, corrected, "the corrected copy", timeout=WAIT)


async def test_a_brief_published_from_matrix_is_posted_to_the_channels_at_once(
    homeserver: Homeserver,
    make_matrix_bot: MatrixBotFactory,
    server: FakeBotApi,
    briefs_dir: Path,
) -> None:
    channel = -1001234567890
    server.channel(channel, "Briefs Daily", username="briefs_daily")
    async with (
        make_matrix_bot(CHANNEL_IDS="@Briefs_Daily") as bot,
        homeserver.client(bot.editor) as editor,
    ):
        room = await direct_chat(homeserver, editor, bot)
        preview = await _ask(editor, room, bot, _brief(briefs_dir), containing="!publish")
        await _ask(editor, room, bot, f"!publish {_draft_id(preview)}")
        # Within seconds, not at the channels' next tick (30 s).
        [post] = await server.wait_sent(channel, 1, timeout=10)
        assert post.text.startswith(TITLE)

        await _ask(editor, room, bot, "!correct 1", containing="Send the")
        preview = await _ask(editor, room, bot, _corrected(briefs_dir), containing="!publish")
        sent = await editor.send_text(room, f"!publish {_draft_id(preview)}")
        report = await _answer(editor, room, bot, sent, containing="Copies")
        assert "Channel posts (Telegram): 1 edited" in report.body
        [post] = server.sent(channel)
        assert post.text.startswith(NEW_TITLE)


async def test_a_brief_published_from_matrix_is_posted_to_the_listed_rooms_at_once(
    homeserver: Homeserver,
    make_matrix_bot: MatrixBotFactory,
    briefs_dir: Path,
) -> None:
    async with homeserver.user("alice") as alice:
        posts = await alice.create_room(public=True, name="Briefs")
        async with (
            make_matrix_bot(MATRIX_ROOM_IDS=posts) as bot,
            homeserver.client(bot.editor) as editor,
        ):
            room = await direct_chat(homeserver, editor, bot)
            preview = await _ask(editor, room, bot, _brief(briefs_dir), containing="!publish")
            await _ask(editor, room, bot, f"!publish {_draft_id(preview)}")
            # Within seconds, not at the channels' next tick (30 s).
            post = await alice.wait_for_message(
                posts, bot.user_id, lambda m: m.body.startswith(TITLE), timeout=10
            )

            sent = await editor.send_text(room, "!retract 1")
            report = await _answer(editor, room, bot, sent, containing="Copies")
            assert "Channel posts (Matrix): 1 replaced" in report.body

            async def withdrawn() -> Message | None:
                now = await alice.shown(posts, post.event_id)
                return now if "Withdrawn by the editors" in now.body else None

            await alice.until(posts, withdrawn, "the withdrawn note", timeout=WAIT)
