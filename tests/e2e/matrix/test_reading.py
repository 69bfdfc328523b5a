"""A reader in Matrix: invites the bot, reads a brief part by part, in HTML with a plain
body, each answer ending with the commands for the other parts."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import publish_file
from tests.e2e.matrix.conftest import MatrixBot, direct_chat
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
        assert summary.formatted_body is not None and "<b>" in summary.formatted_body
        # Matrix has no buttons: the other parts are commands under the answer.
        assert f"!facts {stored.id}" in summary.body
        assert f"!listen {stored.id}" in summary.body

        asked = await alice.send_text(room, "!facts")
        facts = await alice.wait_for_message(room, matrix_bot.user_id, after=asked, timeout=20)
        assert stored.brief.facts[0].text[:40] in facts.body
        assert "<" not in facts.body  # the plain body carries no markup

        asked = await alice.send_text(room, "hello?")
        helped = await alice.wait_for_message(room, matrix_bot.user_id, after=asked, timeout=20)
        assert "!facts" in helped.body and "/facts" not in helped.body
