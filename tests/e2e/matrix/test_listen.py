"""`!listen` in Matrix: the brief's voice note, made by the real engines, sent as an
Element voice message (m.audio marked as voice), uploaded once and then sent by its
content URI."""

from __future__ import annotations

from pathlib import Path

from storage import Storage, StoredBrief
from tests.e2e.conftest import publish_file
from tests.e2e.matrix.conftest import MatrixBotFactory, direct_chat
from tests.e2e.test_listen import made, needs_engines
from tests.fakebot.ogg import check_ogg_opus
from tests.synapse.server import Homeserver


@needs_engines
async def test_listen_sends_a_voice_message_uploaded_once(
    homeserver: Homeserver,
    make_matrix_bot: MatrixBotFactory,
    db_path: Path,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    published: StoredBrief = await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")
    async with make_matrix_bot(AUDIO="on") as bot, homeserver.user("dora") as dora:
        await made(storage, published.id, published.version)
        room = await direct_chat(homeserver, dora, bot)
        asked = await dora.send_text(room, f"!listen {published.id}")
        first = await dora.wait_for_message(
            room, bot.user_id, lambda m: m.msgtype == "m.audio", after=asked, timeout=30
        )
        assert "org.matrix.msc3245.voice" in first.content
        assert first.body.startswith(published.brief.title)
        info = check_ogg_opus(await dora.download(str(first.content["url"])))
        assert info.channels == 1
        assert info.seconds > 20  # title, summary, three facts and two narratives

        asked = await dora.send_text(room, "!listen")
        again = await dora.wait_for_message(
            room, bot.user_id, lambda m: m.msgtype == "m.audio", after=asked, timeout=30
        )
        assert again.content["url"] == first.content["url"]  # not uploaded a second time
