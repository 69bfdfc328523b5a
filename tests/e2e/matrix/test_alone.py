"""Matrix alone: `briefbot run` with MATRIX_* set and no TELEGRAM_BOT_TOKEN, as a process of
its own against the real Synapse. A reader reads a brief; a subscribed room gets the day's
push once, through the claim-send-record path; /readyz says ready once the homeserver has
answered; SIGTERM stops it with exit code 0; Telegram is never contacted."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import aiohttp

from bot.lifecycle import ExitCode
from storage import Storage
from tests.e2e.botprocess import BotProcess
from tests.e2e.matrix.conftest import matrix_env
from tests.e2e.push.conftest import add_subscribers, delivery, example_brief, publish
from tests.fakebot.network import free_port
from tests.synapse.client import MatrixClient
from tests.synapse.server import Account, Homeserver
from tests.waiting import eventually_async

WRONG = "syt_d3Jvbmc_NoSuchTokenHere_0a1b2c"


@dataclass(slots=True)
class TelegramWatch:
    """A port standing in for the Bot API (TELEGRAM_API_URL): every connection counted."""

    url: str
    connections: int = 0


@asynccontextmanager
async def telegram_watch() -> AsyncIterator[TelegramWatch]:
    server = await asyncio.start_server(lambda _r, w: accepted(w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    watch = TelegramWatch(f"http://127.0.0.1:{port}")

    def accepted(writer: asyncio.StreamWriter) -> None:
        watch.connections += 1
        writer.close()

    try:
        yield watch
    finally:
        server.close()
        await server.wait_closed()


def alone_env(
    homeserver: Homeserver, bot: Account, editor: Account, db: Path, **more: str
) -> dict[str, str]:
    """Only MATRIX_* (and where the database is): no TELEGRAM_BOT_TOKEN, nor its _FILE."""
    return {"DATABASE_PATH": str(db), **matrix_env(homeserver, bot, editor), **more}


async def ready(port: int) -> bool:
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/readyz") as answer,
        ):
            return answer.status == 200
    except aiohttp.ClientError:
        return False


async def subscribe(reader: MatrixClient, room: str, bot: str, db: Path) -> int:
    """The room subscribed with !subscribe, then as if long ago and due a moment ago."""
    asked = await reader.send_text(room, "!subscribe 07:00 UTC")
    await reader.wait_for_message(
        room, bot, lambda m: "Subscribed." in m.body, after=asked, timeout=20
    )
    async with await Storage.open(db) as storage:
        chat_id = await storage.matrix.id_of(room)
        assert await storage.subscribers.unsubscribe(chat_id)
    await add_subscribers(db, [chat_id], clock=time(7, 0))
    return chat_id


async def test_matrix_alone_reads_pushes_once_and_stops_cleanly(
    homeserver: Homeserver, tmp_path: Path
) -> None:
    db = tmp_path / "briefbot.db"
    bot = await homeserver.fresh_user("briefbot")
    editor = await homeserver.fresh_user("editor")
    await homeserver.lift_rate_limits(bot.user_id)
    [first] = await publish(db, "Bridge vote")
    port = free_port()
    async with telegram_watch() as telegram:
        env = alone_env(
            homeserver,
            bot,
            editor,
            db,
            HTTP_PORT=str(port),
            HTTP_HOST="127.0.0.1",
            TELEGRAM_API_URL=telegram.url,
        )
        process = await BotProcess.start(env, tmp_path)
        try:
            await process.wait_line("started on Matrix alone")
            await eventually_async(lambda: ready(port), "/readyz ready", within=30)
            async with homeserver.user("alice") as alice:
                room = await alice.create_room(invite=[bot.user_id], direct=True)
                await alice.wait_for_membership(room, bot.user_id, "join", timeout=30)
                asked = await alice.send_text(room, "!brief")
                summary = await alice.wait_for_message(room, bot.user_id, after=asked, timeout=20)
                assert summary.body.startswith("Bridge vote")
                assert f"!facts {first.id}" in summary.body
                asked = await alice.send_text(room, "!facts")
                facts = await alice.wait_for_message(room, bot.user_id, after=asked, timeout=20)
                assert example_brief().facts[0].text[:40] in facts.body

                chat_id = await subscribe(alice, room, bot.user_id, db)
                [pushed] = await publish(db, "Harbour plan", at=datetime.now(UTC))
                # The next push tick (every 20 s) sends it.
                await alice.wait_for_message(
                    room, bot.user_id, lambda m: m.body.startswith("Harbour plan"), timeout=45
                )
                record = await delivery(db, pushed.id, chat_id)
                assert record is not None
                assert record.status == "sent"
                # Due again: the next tick finds it has the day's brief and sends nothing.
                async with await Storage.open(db) as storage:
                    await storage.subscribers.reschedule(
                        chat_id,
                        next_due_at=datetime.now(UTC) - timedelta(seconds=1),
                        delivered_at=None,
                    )

                    async def rescheduled() -> bool:
                        found = await storage.subscribers.get(chat_id)
                        return found is not None and found.next_due_at > datetime.now(UTC)

                    await eventually_async(rescheduled, "the room rescheduled", within=45)
                messages = await alice.messages(room, sender=bot.user_id)
                copies = [m for m in messages if m.replaces is None]
                assert sum(m.body.startswith("Harbour plan") for m in copies) == 1
        finally:
            code = await process.finish(signal.SIGTERM)
        assert code == ExitCode.STOPPED, process.output
        assert telegram.connections == 0, "Telegram is never contacted"
    assert "Traceback" not in process.output
    assert bot.access_token not in process.output
    assert "the homeserver has not answered" not in process.output


async def test_matrix_alone_with_a_refused_token_stops_in_one_line(
    homeserver: Homeserver, tmp_path: Path
) -> None:
    bot = await homeserver.fresh_user("briefbot")
    editor = await homeserver.fresh_user("editor")
    refused = Account(bot.user_id, WRONG)
    process = await BotProcess.start(
        alone_env(homeserver, refused, editor, tmp_path / "b.db"), tmp_path
    )
    assert await process.finish(None) == ExitCode.FAILED, process.output
    [line] = [line for line in process.stderr if " ERROR " in line]
    assert f"the homeserver at {homeserver.url} refused MATRIX_ACCESS_TOKEN" in line
    assert "Traceback" not in process.output
    assert WRONG not in process.output
