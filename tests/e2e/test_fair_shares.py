"""Fair shares of Telegram's budget: one chat's flood leaves the others answered, and the
push and the replies together keep within the limits, replies first.

The server enforces Telegram's limits here (30/s overall, one a second in a private chat
after a short burst): a send over them would be refused with a 429.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.limits.flood import BURST, PER_SECOND
from tests.e2e.conftest import ADMIN_ID, AppFactory, publish_file, say
from tests.e2e.push.conftest import add_subscribers
from tests.fakebot import ApiCall, FakeBotApi, FakeUser, RateLimits, SentMessage

FLOODER = 42
OTHER = 43
SLOW_DOWN = "faster than I can answer"
PUSH_RATE = 10
SUBSCRIBERS = list(range(2000, 2040))
FAR_FUTURE = datetime.now(UTC) + timedelta(days=365)


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(limits=RateLimits(enabled=True)) as fake:
        fake.user(ADMIN_ID, "Editor")
        yield fake


def answering(query_id: str) -> Callable[[ApiCall], bool]:
    return lambda call: call.params["callback_query_id"] == query_id


def sends(server: FakeBotApi, chat_id: int | None = None) -> list[ApiCall]:
    return [
        c
        for c in server.calls
        if c.method == "sendMessage" and (chat_id is None or c.params.get("chat_id") == chat_id)
    ]


@pytest.fixture
async def readers(server: FakeBotApi, db_path: Path, briefs_dir: Path) -> tuple[FakeUser, FakeUser]:
    """A brief to read, a reader who floods the bot and another who reads as usual."""
    await publish_file(db_path, briefs_dir / "coastal-wind-farm.txt")
    return server.user(FLOODER, "Flooder"), server.user(OTHER, "Reader")


async def test_a_flood_from_one_chat_leaves_another_reader_answered(
    server: FakeBotApi, make_app: AppFactory, readers: tuple[FakeUser, FakeUser]
) -> None:
    flooder, other = readers
    async with make_app():
        for _ in range(4000):
            await server.send_text(flooder, "/facts")
        [brief] = await say(server, other, "/brief")
        assert brief.text.startswith("Regulators Clear")
        # Answered one by one at a second each in that chat, the flood would have held the
        # other reader back for an hour; the bot answered a handful and dropped the rest.
        assert len(server.sent(FLOODER)) < 2 * BURST
        # Every update of the flood was let through or dropped before the other reader's
        # was handled. Once the chat is quiet long enough to have its burst back, it is
        # answered again, after the one slow-down answer the whole flood got.
        await server.wait_sent(FLOODER, 1, timeout=10)
        await asyncio.sleep(BURST / PER_SECOND + 0.5)
        [help_text] = await say(server, flooder, "/help")
        texts = [m.text for m in server.sent(FLOODER)]
        assert texts[-1] == help_text.text
        assert sum(SLOW_DOWN in text for text in texts) == 1
        assert len(texts) < 2 * BURST + 2
    assert server.limit_refusals == 0


async def test_a_slow_down_on_a_button_press_is_a_toast_and_the_rest_are_left(
    server: FakeBotApi, make_app: AppFactory, readers: tuple[FakeUser, FakeUser]
) -> None:
    flooder, other = readers
    async with make_app():
        [brief] = await say(server, flooder, "/brief")
        before = len(server.sent(FLOODER))
        data = brief.button("Sources")["callback_data"]
        presses = [await server.press_button(flooder, brief, data) for _ in range(200)]
        await say(server, other, "/brief")  # handled after every press was judged
        await server.wait_for_call("answerCallbackQuery", where=lambda c: "text" in c.params)
        answers = [server.callback_answer(query) for query in presses]
        answered = [str(a.get("text", "")) for a in answers if a is not None]
        # One toast for the whole burst; the presses over the allowance are left.
        assert [text for text in answered if text] == [
            "Too many presses at once. Wait a few seconds, then press again."
        ]
        assert len(answered) <= BURST + 1
        assert len(server.sent(FLOODER)) - before <= 2 * BURST


async def test_an_admins_paste_in_many_pieces_is_not_dropped(
    server: FakeBotApi, make_app: AppFactory, briefs_dir: Path
) -> None:
    text = (briefs_dir / "northfield-budget-long.txt").read_text(encoding="utf-8")
    pieces = text.split("\n")
    assert len(pieces) > 4 * BURST
    admin = server.world.users[ADMIN_ID]
    async with make_app():
        before = len(server.sent(ADMIN_ID))
        for piece in pieces:
            if piece:
                await server.send_text(admin, piece)
        _, details = (await server.wait_sent(ADMIN_ID, before + 2, timeout=10))[before:]
        assert "7 facts" in details.text
        assert SLOW_DOWN not in " ".join(m.text for m in server.sent(ADMIN_ID))


async def start_push(server: FakeBotApi) -> list[SentMessage]:
    """An admin's /push to every subscriber; the first few pushed messages, once they arrive."""
    admin = server.world.users[ADMIN_ID]
    await server.send_text(admin, "/push")
    first = SUBSCRIBERS[:5]
    return [(await server.wait_sent(chat, 1, timeout=10))[0] for chat in first]


@pytest.fixture
async def subscribed(server: FakeBotApi, db_path: Path, briefs_dir: Path) -> None:
    """A brief to push and its subscribers, with the server at the push's rate."""
    server.limits.global_per_second = PUSH_RATE
    await publish_file(db_path, briefs_dir / "coastal-wind-farm.txt")
    for chat in SUBSCRIBERS:
        server.user(chat, f"Subscriber {chat}")
    await add_subscribers(db_path, SUBSCRIBERS, due=FAR_FUTURE)


async def test_a_push_and_the_replies_to_it_share_one_budget_replies_first(
    server: FakeBotApi, make_app: AppFactory, subscribed: None
) -> None:
    async with make_app(PUSH_RATE_LIMIT=str(PUSH_RATE)):
        pushed = await start_push(server)
        waits: list[int] = []
        for message in pushed:
            reader = server.world.users[message.chat_id]
            data = message.button("Facts")["callback_data"]
            query = await server.press_button(reader, message, data)
            [answered] = await server.wait_for_call("answerCallbackQuery", where=answering(query))
            await server.wait_sent(message.chat_id, 2)
            reply = sends(server, message.chat_id)[1]
            # Push messages the reply waited behind: at most the one whose slot came first.
            between = [c for c in sends(server) if answered.at < c.at < reply.at]
            waits.append(len(between))
        for chat in SUBSCRIBERS:
            await server.wait_sent(chat, 1, timeout=15)
    # The push alone kept 15 messages waiting for their slots; the replies jumped them.
    assert max(waits) <= 3, waits
    assert server.busiest_second() <= PUSH_RATE
    assert server.limit_refusals == 0


async def test_a_429_on_a_reply_pauses_the_push_too(
    server: FakeBotApi, make_app: AppFactory, subscribed: None
) -> None:
    async with make_app(PUSH_RATE_LIMIT=str(PUSH_RATE)):
        [message, *_] = await start_push(server)
        reader = server.world.users[message.chat_id]
        server.fail(
            "sendMessage",
            chat_id=reader.id,
            error_code=429,
            description="Too Many Requests: retry after 2",
            parameters={"retry_after": 2},
        )
        await server.press_button(reader, message, message.button("Facts")["callback_data"])
        [flood] = await server.wait_for_call("sendMessage", where=lambda c: c.error_code == 429)
        await server.wait_sent(reader.id, 2, timeout=10)  # the reply, sent again after the pause
        for chat in SUBSCRIBERS:
            await server.wait_sent(chat, 1, timeout=15)
    assert_paused(server, flood)


async def test_a_429_on_the_push_pauses_the_replies_too(
    server: FakeBotApi, make_app: AppFactory, subscribed: None
) -> None:
    other = server.user(OTHER, "Reader")
    server.fail(
        "sendMessage",
        chat_id=SUBSCRIBERS[10],
        error_code=429,
        description="Too Many Requests: retry after 2",
        parameters={"retry_after": 2},
    )
    async with make_app(PUSH_RATE_LIMIT=str(PUSH_RATE)):
        await start_push(server)
        [flood] = await server.wait_for_call("sendMessage", where=lambda c: c.error_code == 429)
        await say(server, other, "/help")  # asked once the 429 came: answered after the pause
        for chat in SUBSCRIBERS:
            await server.wait_sent(chat, 1, timeout=15)
    assert_paused(server, flood)
    [answer] = sends(server, OTHER)
    assert answer.at >= flood.at + 1.7


def assert_paused(server: FakeBotApi, flood: ApiCall) -> None:
    """Nothing was sent while Telegram asked to wait, beyond a send already on its way."""
    during = [c for c in sends(server) if flood.at + 0.3 < c.at < flood.at + 1.7]
    assert during == [], [str(c) for c in during]
    assert server.limit_refusals == 0
