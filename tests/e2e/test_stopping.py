"""SIGTERM under load: `briefbot run` stops taking updates, finishes those it took, exits 0."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import webhook_env
from tests.e2e.test_startup import assert_clean, environment
from tests.fakebot import FakeBotApi, FakeUser, free_port

READERS = 5


async def load(server: FakeBotApi) -> list[FakeUser]:
    """Readers ask at once, while every reply takes a second to send."""
    server.delay("sendMessage", 1.0, times=None)
    readers = [server.user(100 + number, f"Reader{number}") for number in range(READERS)]
    for reader in readers:
        await server.send_text(reader, "/brief")
    await server.wait_for_call("sendMessage", timeout=10)  # a handler is in flight
    return readers


def assert_taken_updates_answered(server: FakeBotApi, readers: list[FakeUser]) -> None:
    """Each update was either handled to its reply, or is still waiting at Telegram for the
    next start: none was taken and lost."""
    waiting = {update["message"]["chat"]["id"] for update in server.world.updates}
    for reader in readers:
        replies = server.sent(reader.id)
        assert len(replies) == (0 if reader.id in waiting else 1), (reader.id, server.dump())
    assert any(server.sent(reader.id) for reader in readers)


async def test_sigterm_while_polling_finishes_the_updates_taken(
    server: FakeBotApi, tmp_path: Path
) -> None:
    env = environment(server.url, tmp_path / "b.db", server.token)
    bot = await BotProcess.start(env, tmp_path)
    try:
        await server.wait_polling(timeout=30)
        readers = await load(server)
        code = await bot.finish(signal.SIGTERM)
    finally:
        await bot.finish(signal.SIGINT)
    assert code == 0, bot.output
    assert_taken_updates_answered(server, readers)
    assert_clean(bot.output, server.token)


async def test_sigterm_in_webhook_mode_refuses_new_updates_and_finishes_the_others(
    local_server: FakeBotApi, tmp_path: Path
) -> None:
    server = local_server
    env = {
        **environment(server.url, tmp_path / "b.db", server.token),
        **webhook_env(free_port()),
    }
    bot = await BotProcess.start(env, tmp_path)
    try:
        await server.wait_for_call("setWebhook", timeout=30)
        readers = await load(server)
        bot.process.send_signal(signal.SIGTERM)
        await bot.wait_line("Application is stopping")  # updates are refused from here
        late = await server.send_text(server.user(200, "Late"), "/brief")
        code = await bot.finish(None)
    finally:
        await bot.finish(signal.SIGINT)
    assert code == 0, bot.output
    assert_taken_updates_answered(server, readers)
    assert late in server.world.updates  # kept by Telegram for the next start
    late_answers = [d.status for d in server.deliveries if d.update_id == late["update_id"]]
    assert 200 not in late_answers
    assert server.webhook.url  # the webhook stays set: updates wait for the next start
    assert_clean(bot.output, server.token)
