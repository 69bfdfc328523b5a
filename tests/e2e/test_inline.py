"""Inline mode, end to end: `@bot words` in any chat, the copies sent, and what follows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.publishing.corrections import INLINE, KindCount, correct_copies, withdraw_copies
from bot.telegram.context import BriefApplication
from brief.model import Brief, Fact, Narrative, Source
from storage import Storage, StoredBrief
from tests.e2e.conftest import ADMIN_ID, make_config, say, serving, settled, share
from tests.fakebot import FakeBotApi, FakeUser
from tests.waiting import eventually_async

READER = 42
FRIEND = 43
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def brief(title: str, summary: str = "What happened, in two sentences. Then why.") -> Brief:
    return Brief(
        title=title,
        summary=summary,
        facts=(Fact(text=f"A fact about {title}", sources=(1,)),),
        sources=(Source(number=1, name="Reuters", url="https://example.org/1"),),
        narratives=(
            Narrative(label="One side", outlet="Outlet A", text="A view."),
            Narrative(label="Other side", outlet="Outlet B", text="Another view."),
        ),
    )


@pytest.fixture
def reader(server: FakeBotApi) -> FakeUser:
    server.inline.turn_on(feedback=True)
    return server.user(READER, "Ada")


def storage_of(app: BriefApplication) -> Storage:
    assert app.bot_data.services.storage is not None
    return app.bot_data.services.storage


async def publish(app: BriefApplication, *titles: str) -> list[StoredBrief]:
    storage = storage_of(app)
    start = await storage.briefs.count()
    return [
        await storage.briefs.publish(brief(title), by=None, at=T0 + timedelta(minutes=start + n))
        for n, title in enumerate(titles)
    ]


async def ask(server: FakeBotApi, user: FakeUser, query: str, offset: str = "") -> dict[str, Any]:
    """Type `@bot query` (scrolled to `offset`); the bot's answer as Telegram got it."""
    query_id = server.inline.send_query(user, query, offset=offset)
    await server.wait_for_call(
        "answerInlineQuery", where=lambda c: c.params["inline_query_id"] == query_id
    )
    answer = server.inline.answer(query_id)
    assert answer is not None, server.dump()
    return answer


def titles(answer: dict[str, Any]) -> list[str]:
    return [result["title"] for result in answer["results"]]


async def test_an_empty_query_lists_the_latest_page_by_page(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    published = await publish(bot_app, *(f"Story {n}" for n in range(45)))
    newest_first = [stored.brief.title for stored in reversed(published)]
    first = await ask(server, reader, "")
    assert titles(first) == newest_first[:20]
    assert first["next_offset"] == "20"
    second = await ask(server, reader, "", offset=first["next_offset"])
    assert titles(second) == newest_first[20:40]
    last = await ask(server, reader, "", offset=second["next_offset"])
    assert titles(last) == newest_first[40:]
    assert last.get("next_offset", "") == ""  # no further page
    result = first["results"][0]
    assert result["id"] == f"{published[-1].id}.1"
    assert result["description"] == "What happened, in two sentences. Then why."
    text = result["input_message_content"]["message_text"]
    assert text.startswith("<b>Story 44</b>")
    assert server.errors() == []


async def test_words_search_and_page(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    await publish(bot_app, *(f"Harbor bridge vote {n}" for n in range(25)), "Wind farm")
    first = await ask(server, reader, "harbor brid")
    assert len(first["results"]) == 20
    assert all(title.startswith("Harbor bridge vote") for title in titles(first))
    last = await ask(server, reader, "harbor brid", offset=first["next_offset"])
    assert len(last["results"]) == 5
    assert last.get("next_offset", "") == ""
    assert set(titles(first)) | set(titles(last)) == {f"Harbor bridge vote {n}" for n in range(25)}
    found = await ask(server, reader, "wind")
    assert titles(found) == ["Wind farm"]
    assert (await ask(server, reader, "nothing matches this"))["results"] == []


async def test_the_share_button_offers_exactly_that_brief(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    wanted, _newer = await publish(bot_app, "Harbor bridge vote", "Wind farm")
    [summary] = await say(server, reader, f"/brief {wanted.id}")
    query = summary.button("Share")["switch_inline_query"]
    assert query == f"#{wanted.id}"
    answer = await ask(server, reader, query)
    [result] = answer["results"]
    assert result["title"] == "Harbor bridge vote"
    message = server.inline.choose(reader, answer_id(server), result["id"])
    assert message.text == summary.text  # the brief reads the same wherever it is sent
    # A withdrawn or unknown brief is offered by no Share query.
    await storage_of(bot_app).briefs.retract(wanted.id, by=None, at=T0 + timedelta(days=1))
    assert (await ask(server, reader, query))["results"] == []
    assert (await ask(server, reader, "#999999"))["results"] == []


def answer_id(server: FakeBotApi) -> str:
    """The id of the inline query answered last."""
    [*_, last] = server.inline.queries
    return last


async def test_a_button_on_a_shared_copy_opens_that_part_privately(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    [stored] = await publish(bot_app, "Harbor bridge vote")
    message = await share(server, reader, "", f"{stored.id}.1")
    assert [b["text"] for row in message.buttons for b in row] == [
        "Facts",
        "Sources",
        "Narratives",
        "Share",
    ]
    friend = server.user(FRIEND, "Grace")  # in the group, never opened the bot
    parameter = server.inline.start_parameter(message.button("Facts")["url"])
    [facts] = await say(server, friend, f"/start {parameter}")
    assert "A fact about Harbor bridge vote" in facts.text
    await settled(server, bot_app)
    assert message.edits == 0  # the group's copy stays as it was for everyone
    assert server.sent(-500) == []


async def test_a_chosen_copy_follows_its_correction_and_withdrawal(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    storage = storage_of(bot_app)
    [stored] = await publish(bot_app, "Harbor bridge vote")
    message = await share(server, reader, "harbor", f"{stored.id}.1")

    async def recorded() -> bool:
        return bool(await storage.inline_copies.of_brief(stored.id))

    await eventually_async(recorded, "the chosen result to be recorded")
    [copy] = await storage.inline_copies.of_brief(stored.id)
    assert (copy.inline_message_id, copy.user_id) == (message.inline_message_id, READER)
    # A copy Telegram no longer knows (deleted from its chat): counted, not fatal.
    await storage.inline_copies.record("AQAAAB9999999999", stored.id, FRIEND, at=T0)

    corrected = await storage.briefs.correct(
        stored.id, brief("Harbor bridge vote", "Corrected summary."), by=None, at=T0
    )
    assert corrected is not None
    renderer, messenger = bot_app.bot_data.services.renderer, bot_app.bot_data.services.messenger
    assert renderer is not None
    edits = await correct_copies(messenger, storage, renderer, corrected, (INLINE,))
    assert edits == [KindCount("inline", edited=1, unchanged=0, failed=1)]
    assert "Corrected summary." in message.text
    assert "Updated" in message.text
    assert message.button("Facts")["url"].endswith(f"start=b{stored.id}-facts")
    again = await correct_copies(messenger, storage, renderer, corrected, (INLINE,))
    assert again == [KindCount("inline", edited=0, unchanged=1, failed=1)]

    withdrawn = await storage.briefs.retract(stored.id, by=None, at=T0)
    assert withdrawn is not None
    edits = await withdraw_copies(messenger, storage, renderer, withdrawn, (INLINE,))
    assert edits == [KindCount("inline", edited=1, unchanged=0, failed=1)]
    assert message.text == "Harbor bridge vote\nWithdrawn by the editors."
    assert message.buttons == []


async def test_a_copy_chosen_from_an_older_answer_is_brought_up_to_date(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    storage = storage_of(bot_app)
    [stored] = await publish(bot_app, "Harbor bridge vote")
    query_id = server.inline.send_query(reader, "harbor")
    await server.wait_for_call("answerInlineQuery")
    await storage.briefs.correct(
        stored.id, brief("Harbor bridge vote", "Corrected summary."), by=None, at=T0
    )
    message = server.inline.choose(reader, query_id, f"{stored.id}.1")  # as Telegram cached it
    assert "Corrected summary." not in message.text
    await server.wait_for_call("editMessageText")
    assert "Corrected summary." in message.text


HOSTILE_QUERIES = [
    '"',
    'NEAR("a" "b")',
    "title:x OR *",
    "\x00\x01\x02",
    "\u202e\u200b",
    "🏳️‍🌈" * 60,
    "#",
    "#-1",
    "#0",
    "#" + "9" * 250,
    "a" * 256,
    " ".join(["x"] * 128),
    "<b>&amp;</b>",
]


async def test_hostile_queries_and_offsets_are_answered_safely(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    await publish(bot_app, "Harbor bridge vote")
    for query in HOSTILE_QUERIES:
        answer = await ask(server, reader, query)
        assert answer.get("next_offset", "") == ""
    for offset in ("abc", "-20", "9" * 64, "1e9", "20 ", "\x00"):
        answer = await ask(server, reader, "", offset=offset)
        assert titles(answer) == ["Harbor bridge vote"]  # the first page
    # A made-up choice (no result of ours) is not recorded and breaks nothing.
    server.push_update(
        {
            "chosen_inline_result": {
                "result_id": "x" * 64,
                "from": reader.to_api(),
                "query": "",
                "inline_message_id": "AQAAAB0000000077",
            }
        }
    )
    await settled(server, bot_app)
    assert await storage_of(bot_app).inline_copies.count() == 0
    assert server.errors() == []
    assert server.sent(READER) == []  # no error report, no "slow down"


async def test_a_query_answered_too_late_bothers_no_one(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    server.inline.lifetime = 0.0  # as after a restart: the user has long moved on
    server.inline.send_query(reader, "harbor")
    [refused] = await server.wait_for_call("answerInlineQuery")
    assert "query is too old" in (refused.description or "")
    await settled(server, bot_app)
    server.inline.lifetime = 10.0
    assert (await ask(server, reader, ""))["results"] == []  # and the next one is answered
    assert server.sent(ADMIN_ID) == []  # no error report


async def test_typing_fast_is_never_told_to_slow_down(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    await publish(bot_app, "Harbor bridge vote")
    typed = "harbor bridge vote and what came of it"
    for end in range(1, len(typed) + 1):
        server.inline.send_query(reader, typed[:end])
    await settled(server, bot_app)
    [reply] = await say(server, reader, "/brief")  # the chat's own allowance is untouched
    assert reply.text.startswith("Harbor bridge vote")
    assert server.sent(READER) == [reply]
    assert server.errors() == []


async def test_polling_asks_for_inline_updates(server: FakeBotApi, db_path: Path) -> None:
    async with serving(make_config(server, db_path)):
        await server.wait_polling()
    [call, *_] = [c for c in server.calls if c.method == "getUpdates"]
    assert {"inline_query", "chosen_inline_result"} <= set(call.params["allowed_updates"])
