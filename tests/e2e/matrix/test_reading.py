"""A reader in Matrix: invites the bot, reads a brief part by part, in HTML with a plain
body, each answer ending with the commands for the other parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matrix import sync
from tests.e2e.conftest import publish_file
from tests.e2e.matrix.conftest import MatrixBot, MatrixBotFactory, direct_chat
from tests.synapse.server import Homeserver

REFERENCE = Path(__file__).parents[4] / "shared" / "briefs" / "putin-north-korea.txt"


async def test_a_reader_reads_a_brief_part_by_part(
    homeserver: Homeserver, matrix_bot: MatrixBot, db_path: Path
) -> None:
    stored = await publish_file(db_path, REFERENCE)
    async with homeserver.user("alice") as alice:
        room = await direct_chat(homeserver, alice, matrix_bot)
        asked = await alice.send_text(room, "!brief")
        summary = await alice.wait_for_message(room, matrix_bot.user_id, after=asked, timeout=20)
        assert stored.brief.title in summary.body
        assert summary.format == "org.matrix.custom.html"
        assert summary.formatted_body is not None
        assert "<b>" in summary.formatted_body
        # Matrix has no buttons: the other parts are commands under the answer.
        assert f"!facts {stored.id}" in summary.body
        assert f"!listen {stored.id}" in summary.body

        asked = await alice.send_text(room, "!facts")
        facts = await alice.wait_for_message(room, matrix_bot.user_id, after=asked, timeout=20)
        assert stored.brief.facts[0].text[:40] in facts.body
        assert "<" not in facts.body  # the plain body carries no markup

        asked = await alice.send_text(room, "hello?")
        helped = await alice.wait_for_message(room, matrix_bot.user_id, after=asked, timeout=20)
        assert "!facts" in helped.body
        assert "/facts" not in helped.body


async def test_an_encrypted_room_is_told_once_how_to_make_one_the_bot_reads(
    homeserver: Homeserver, matrix_bot: MatrixBot
) -> None:
    async with homeserver.user("bob") as bob:
        room = await bob.create_room(invite=[matrix_bot.user_id], direct=True, encrypted=True)
        await bob.wait_for_membership(room, matrix_bot.user_id, "join", timeout=30)
        told = await bob.wait_for_message(room, matrix_bot.user_id, timeout=20)
        assert "encrypt" in told.body
        # Told once: the messages after it (this client sends in the clear) bring no other.
        await bob.send_text(room, "!brief")
        helped = await bob.send_text(room, "plain words")
        await bob.wait_for_message(room, matrix_bot.user_id, after=helped, timeout=20)
        notices = [
            m for m in await bob.messages(room, sender=matrix_bot.user_id) if "encrypt" in m.body
        ]
        assert len(notices) == 1


async def test_an_invitation_from_a_server_not_allowed_is_declined(
    homeserver: Homeserver, make_matrix_bot: MatrixBotFactory
) -> None:
    async with (
        make_matrix_bot(MATRIX_ALLOWED_SERVERS="elsewhere.example") as bot,
        homeserver.user("carol") as carol,
    ):
        room = await carol.create_room(invite=[bot.user_id], direct=True)
        await carol.wait_for_membership(room, bot.user_id, "leave", timeout=30)


async def test_commands_sent_while_the_bot_was_down_are_each_answered_once(
    homeserver: Homeserver,
    make_matrix_bot: MatrixBotFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Briefs that do not exist: each answer names its number. Fewer than a chat's burst
    # (the flood gate's), which a reader sending them all at once is held to.
    numbers = range(101, 106)
    async with homeserver.user("erin") as erin:
        async with make_matrix_bot() as bot:
            room = await direct_chat(homeserver, erin, bot)
        # More than a batch of the stream holds for the room: the bot reads the gap back.
        monkeypatch.setattr(sync, "TIMELINE_LIMIT", 2)
        asked = [await erin.send_text(room, f"!brief {n}") for n in numbers]
        async with make_matrix_bot(account=bot.account, editor=bot.editor):
            await erin.wait_for_message(
                room,
                bot.user_id,
                lambda m: f"#{numbers[-1]}" in m.body,
                after=asked[-1],
                timeout=30,
            )
            # Whatever else would come for those comes before the answer to this.
            check = await erin.send_text(room, "!help")
            await erin.wait_for_message(room, bot.user_id, after=check, timeout=30)
        answers = await erin.messages(room, sender=bot.user_id)
    for n in numbers:
        assert sum(f"#{n}." in m.body for m in answers) == 1, n


async def test_a_batch_longer_than_the_lease_keeps_it(
    homeserver: Homeserver,
    make_matrix_bot: MatrixBotFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Invitations answered one by one, each paced by the homeserver, take longer than the
    sync lease: it is renewed as they are, so the batch is never read twice."""
    monkeypatch.setattr(sync, "SYNC_LEASE", 2.0)
    bot = await homeserver.fresh_user("briefbot")
    await homeserver.limit_messages(bot.user_id, per_second=2, burst_count=1)
    async with homeserver.user("fay") as fay:
        rooms = [await fay.create_room(invite=[bot.user_id]) for _ in range(8)]
        async with make_matrix_bot(limited=True, account=bot):
            for room in rooms:  # eight joins at two a second: about 4 s, twice the lease
                await fay.wait_for_membership(room, bot.user_id, "join", timeout=60)
    assert not [r for r in caplog.records if "lease was taken over" in r.getMessage()]
