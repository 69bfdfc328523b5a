"""A reader talks to the running bot: every part of a brief, by command and by button."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.telegram.context import BriefApplication
from storage import StoredBrief
from tests.e2e.conftest import press, publish_file, say
from tests.fakebot import FakeBotApi, FakeUser

READER = 42


@pytest.fixture
def reader(server: FakeBotApi) -> FakeUser:
    return server.user(READER, "Ada")


@pytest.fixture
async def reference(db_path: Path, briefs_dir: Path) -> StoredBrief:
    return await publish_file(db_path, briefs_dir / "putin-north-korea.txt")


def numbered_lines(text: str) -> list[str]:
    return re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE)


async def test_start_explains_the_bot_and_the_menu_is_registered(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    [welcome] = await say(server, reader, "/start")
    assert welcome.parse_mode == "HTML"
    assert "Welcome to briefbot" in welcome.text
    for command in ("/brief", "/facts", "/sources", "/narratives", "/archive", "/search"):
        assert command in welcome.text
    names = [c["command"] for c in server.commands()]
    assert names == [
        "brief",
        "facts",
        "sources",
        "narratives",
        "listen",
        "archive",
        "search",
        "subscribe",
        "unsubscribe",
        "settings",
        "language",
        "id",
        "help",
    ]
    [help_reply] = await say(server, reader, "/help")
    assert "How to read a brief" in help_reply.text
    assert server.errors() == []


async def test_no_brief_yet_gets_a_friendly_answer(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    for command in ("/brief", "/facts", "/sources", "/narratives"):
        [reply] = await say(server, reader, command)
        assert "There is no brief yet" in reply.text


async def test_the_reference_brief_by_command(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, reference: StoredBrief
) -> None:
    [summary] = await say(server, reader, "/brief")
    lines = summary.text.splitlines()
    assert lines[0] == "Putin Makes First Visit to North Korea in 24 Years"
    assert lines[1].startswith(f"Brief #{reference.id} · ")
    assert summary.text.endswith("his first trip to the country in 24 years....")
    assert {"type": "bold", "offset": 0, "length": len(lines[0])} in [
        {k: e[k] for k in ("type", "offset", "length")} for e in summary.entities
    ]
    assert summary.callback_data() == [
        f"brief:{reference.id}:facts",
        f"brief:{reference.id}:sources",
        f"brief:{reference.id}:narratives",
        f"listen:{reference.id}",
    ]
    assert [b["text"] for b in summary.buttons[0]] == ["Facts", "Sources", "Narratives"]
    # Share opens inline mode in a chat the reader picks, with `@bot #N` typed.
    assert summary.button("Share")["switch_inline_query"] == f"#{reference.id}"

    [facts] = await say(server, reader, "/facts")
    assert facts.text.startswith("Facts · Putin Makes First Visit")
    assert numbered_lines(facts.text) == ["1", "2", "3", "4", "5", "6"]
    assert "in 24 years. [1]" in facts.text
    assert "\n\n2. The visit comes" in facts.text  # a blank line between facts
    assert "rich in glorious historical traditions.' [3]" in facts.text
    assert "promote his war of aggression.' [6]" in facts.text

    [sources] = await say(server, reader, "/sources")
    assert numbered_lines(sources.text) == ["1", "2", "3", "4", "5", "6"]
    for line in (
        "1. Al Jazeera",
        "2. POLITICO",
        "3. TASS",
        "4. BBC News",
        "5. Guardian",
        "6. The Diplomat",
    ):
        assert line in sources.text.splitlines()

    first, second = await say(server, reader, "/narratives", expect=2)
    assert first.text.startswith(
        "Anti-Russia narrative (1 of 2)\nas provided by Firstpost\n\nPutin's trip"
    )
    assert second.text.startswith(
        "Pro-Russia narrative (2 of 2)\nas provided by TASS\n\nPutin's visit"
    )
    assert first.reply_markup is None
    assert second.callback_data()[0] == f"brief:{reference.id}:summary"
    assert server.errors() == []


async def test_the_reference_brief_by_button(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, reference: StoredBrief
) -> None:
    [summary] = await say(server, reader, "/brief")
    answer, [facts] = await press(server, reader, summary, "Facts", expect=1)
    assert answer is not None  # the press was answered
    assert numbered_lines(facts.text) == ["1", "2", "3", "4", "5", "6"]
    _, [sources] = await press(server, reader, summary, "Sources", expect=1)
    assert "6. The Diplomat" in sources.text
    _, (first, second) = await press(server, reader, summary, "Narratives", expect=2)
    assert first.text.startswith("Anti-Russia narrative")
    assert second.text.startswith("Pro-Russia narrative")
    _, [again] = await press(server, reader, facts, "Summary", expect=1)
    assert again.text.splitlines()[0] == summary.text.splitlines()[0]
    assert server.errors() == []


async def test_citations_and_sources_link_to_known_urls(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, db_path: Path, briefs_dir: Path
) -> None:
    await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")
    [facts] = await say(server, reader, "/facts")
    links = [e["url"] for e in facts.entities if e["type"] == "text_link"]
    assert "https://example.org/gazette/harbor-bridge-toll" in links
    assert "https://example.org/ledger/toll-vote" in links
    assert "after protests outside City Hall. [4]" in facts.text  # source 4 has no URL
    [sources] = await say(server, reader, "/sources")
    named = {
        sources.text[e["offset"] : e["offset"] + e["length"]]: e["url"]
        for e in sources.entities
        if e["type"] == "text_link"
    }
    assert named["Northfield Gazette"] == "https://example.org/gazette/harbor-bridge-toll"
    assert "Island Weekly" not in named
    assert "4. Island Weekly" in sources.text


async def test_a_long_part_is_split_into_valid_messages(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, db_path: Path, briefs_dir: Path
) -> None:
    await publish_file(db_path, briefs_dir / "northfield-budget-long.txt")
    await server.send_text(reader, "/facts")
    # The keyboard rides on the last piece only, so once it is there all pieces are.
    await server.wait_for_call("sendMessage", where=lambda c: "reply_markup" in c.params)
    facts = server.sent(reader.id)
    assert len(facts) >= 2
    numbers = [n for message in facts for n in numbered_lines(message.text)]
    assert numbers == [str(n) for n in range(1, 18)]
    for message in facts:
        assert len(message.text.encode("utf-16-le")) // 2 <= 4096
        assert re.match(r"^(Facts · |\d+\. )", message.text)
    assert facts[-1].reply_markup is not None
    assert all(m.reply_markup is None for m in facts[:-1])
    assert server.errors() == []


async def test_commands_follow_the_brief_the_reader_last_opened(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, db_path: Path, briefs_dir: Path
) -> None:
    older = await publish_file(db_path, briefs_dir / "putin-north-korea.txt")
    newer = await publish_file(db_path, briefs_dir / "coastal-wind-farm.txt")
    [facts] = await say(server, reader, "/facts")
    assert facts.text.startswith("Facts · Regulators Clear")  # nothing opened yet: the latest
    [summary] = await say(server, reader, f"/brief {older.id}")
    assert summary.text.startswith("Putin Makes First Visit")
    [sources] = await say(server, reader, "/sources")
    assert f"· #{older.id}" in sources.text.splitlines()[0]
    [latest] = await say(server, reader, "/brief")
    assert latest.text.startswith("Regulators Clear")
    three = await say(server, reader, "/narratives", expect=3)
    assert [m.text.split(" narrative")[0] for m in three] == [
        "Pro-wind",
        "Fishing-industry",
        "Cost-skeptic",
    ]
    assert f"brief:{newer.id}:summary" in three[-1].callback_data()


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/facts 999", "There is no brief #999"),
        ("/brief 999", "There is no brief #999"),
        ("/sources abc", "is not a brief number"),
        ("/narratives 1 2", "is not a brief number"),
        ("/facts <b>", "is not a brief number"),
        ("/facts 9223372036854775808", "is not a brief number"),  # past SQLite's integers
        ("/start b9999999999999999999", "There is no brief #9999999999999999999"),
        ("/start b999-facts", "There is no brief #999"),
    ],
)
async def test_unknown_or_malformed_ids(
    server: FakeBotApi,
    bot_app: BriefApplication,
    reader: FakeUser,
    reference: StoredBrief,
    command: str,
    expected: str,
) -> None:
    [reply] = await say(server, reader, command)
    assert expected in reply.text
    assert server.errors() == []


async def test_a_withdrawn_brief_says_so_by_command_and_button(
    server: FakeBotApi,
    bot_app: BriefApplication,
    reader: FakeUser,
    reference: StoredBrief,
    db_path: Path,
) -> None:
    from datetime import UTC, datetime

    from storage import Storage

    [summary] = await say(server, reader, "/brief")
    storage = await Storage.open(db_path)
    try:
        await storage.briefs.retract(reference.id, by=None, at=datetime.now(UTC))
    finally:
        await storage.close()
    [reply] = await say(server, reader, f"/facts {reference.id}")
    assert f"Brief #{reference.id} was withdrawn" in reply.text
    _, [pressed] = await press(server, reader, summary, "Sources", expect=1)
    assert f"Brief #{reference.id} was withdrawn" in pressed.text
    [latest] = await say(server, reader, "/brief")
    assert "There is no brief yet" in latest.text


async def test_a_forged_button_with_a_huge_id_is_answered_as_stale(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, reference: StoredBrief
) -> None:
    [summary] = await say(server, reader, "/brief")
    markup = summary.reply_markup
    assert markup is not None
    forged = "brief:9999999999999999999:facts"
    markup["inline_keyboard"][0][0]["callback_data"] = forged
    query_id = await server.press_button(reader, summary, forged)
    await server.wait_for_call(
        "answerCallbackQuery", where=lambda c: c.params["callback_query_id"] == query_id
    )
    answer = server.callback_answer(query_id)
    assert answer is not None
    assert "no longer works" in answer["text"]
    assert server.sent(1000) == []  # no error alert reached the admins


async def test_a_stale_button_is_answered(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, reference: StoredBrief
) -> None:
    [summary] = await say(server, reader, "/brief")
    markup = summary.reply_markup
    assert markup is not None
    markup["inline_keyboard"][0][0]["callback_data"] = "brief:1:poems"
    query_id = await server.press_button(reader, summary, "brief:1:poems")
    await server.wait_for_call(
        "answerCallbackQuery", where=lambda c: c.params["callback_query_id"] == query_id
    )
    answer = server.callback_answer(query_id)
    assert answer is not None
    assert "no longer works" in answer["text"]


async def test_deep_link_opens_a_brief(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, reference: StoredBrief
) -> None:
    [summary] = await say(server, reader, f"/start b{reference.id}")
    assert summary.text.startswith("Putin Makes First Visit")


@pytest.mark.parametrize(
    ("part", "starts"),
    [
        ("facts", "Facts · Putin Makes First Visit"),
        ("sources", "Sources · Putin Makes First Visit"),
        ("narratives", "Anti-Russia narrative (1 of 2)"),
    ],
)
async def test_a_deep_link_opens_one_part_of_a_brief(
    server: FakeBotApi,
    bot_app: BriefApplication,
    reader: FakeUser,
    reference: StoredBrief,
    part: str,
    starts: str,
) -> None:
    # The reference brief has two narratives, each a message of its own.
    expect = 2 if part == "narratives" else 1
    first, *_ = await say(server, reader, f"/start b{reference.id}-{part}", expect=expect)
    assert first.text.startswith(starts)
    # The part opened is the reader's current brief, as when opened by command.
    [summary] = await say(server, reader, "/brief")
    assert summary.text.startswith("Putin Makes First Visit")
