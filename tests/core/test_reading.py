"""What a reader is shown (bot/core/reading.py): a part of a brief by command, button or
link, the brief they last opened followed, and every refusal."""

from __future__ import annotations

import pytest

from bot.core.chat import Listen, OpenPart, Part, ShareBrief, ShowPart
from bot.core.reading import (
    help_reply,
    open_part,
    open_part_by_command,
    start_reply,
    unknown_brief,
)
from bot.core.rendering import Renderer
from storage import Storage
from tests.core.conftest import NOW, READER, Publish, actions, plain, text_of

PUTIN = "Putin Makes First Visit to North Korea in 24 Years"
WIND = "Regulators Clear Largest Offshore Wind Farm on the Coast"


async def command(storage: Storage, renderer: Renderer, part: Part, *args: str) -> str:
    """What `/<command> args` answers, as one text (`/brief` for the summary)."""
    name = "brief" if part == "summary" else part
    reply = await open_part_by_command(storage, renderer, READER, part, name, list(args))
    return text_of(reply)


async def test_a_part_is_shown_with_buttons_for_the_others_and_share(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    reply = await open_part(storage, renderer, READER, "facts", stored.id)
    assert text_of(reply).startswith(f"Facts · {PUTIN}")
    assert actions(reply.keyboard) == [
        ShowPart(stored.id, "summary"),
        ShowPart(stored.id, "sources"),
        ShowPart(stored.id, "narratives"),
        Listen(stored.id),
        ShareBrief(stored.id),
    ]
    assert await storage.readers.last_opened(READER) == stored.id


async def test_the_narratives_are_a_message_each_the_buttons_under_the_last(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    reply = await open_part(storage, renderer, READER, "narratives", stored.id)
    first, second = map(plain, reply.texts)
    assert first.startswith("Anti-Russia narrative (1 of 2)")
    assert second.startswith("Pro-Russia narrative (2 of 2)")
    assert ShowPart(stored.id, "summary") in actions(reply.keyboard)


async def test_nothing_published_yet(storage: Storage, renderer: Renderer) -> None:
    for part in ("summary", "facts", "sources", "narratives"):
        reply = await open_part(storage, renderer, READER, part, None)
        assert "There is no brief yet" in text_of(reply)
        assert reply.keyboard is None
    assert await storage.readers.last_opened(READER) is None


@pytest.mark.parametrize(
    ("part", "args", "expected"),
    [
        ("facts", ["999"], "There is no brief #999"),
        ("summary", ["#999"], "There is no brief #999"),
        ("sources", ["abc"], "abc is not a brief number. Send /x on its own"),
        ("narratives", ["1", "2"], "1 2 is not a brief number"),
        ("facts", ["<b>"], "<b> is not a brief number"),
        ("facts", ["9223372036854775808"], "is not a brief number"),  # past SQLite's integers
        ("facts", ["0"], "is not a brief number"),
    ],
)
async def test_a_command_naming_no_brief_is_refused_and_remembers_nothing(
    storage: Storage,
    renderer: Renderer,
    publish: Publish,
    part: Part,
    args: list[str],
    expected: str,
) -> None:
    stored = await publish("putin-north-korea.txt")
    await open_part(storage, renderer, READER, "summary", stored.id)
    reply = await open_part_by_command(storage, renderer, READER, part, "x", args)
    assert expected in text_of(reply)
    assert reply.keyboard is None
    assert await storage.readers.last_opened(READER) == stored.id


async def test_a_withdrawn_brief_asked_by_number_says_so(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    await storage.briefs.retract(stored.id, by=None, at=NOW)
    for part in ("summary", "facts"):  # by command or by a button under an older copy
        reply = await open_part(storage, renderer, READER, part, stored.id)
        assert f"Brief #{stored.id} was withdrawn" in text_of(reply)
        assert reply.keyboard is None


async def test_the_parts_follow_the_brief_last_opened_and_brief_alone_is_the_latest(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    older = await publish("putin-north-korea.txt")
    newer = await publish("coastal-wind-farm.txt")
    # Nothing opened yet: the latest.
    assert (await command(storage, renderer, "facts")).startswith(f"Facts · {WIND}")
    assert (await command(storage, renderer, "summary", str(older.id))).startswith(PUTIN)
    sources = await command(storage, renderer, "sources")
    assert f"· #{older.id}" in sources.splitlines()[0]
    # /brief alone is the latest, whatever was opened, and is opened from then on.
    assert (await command(storage, renderer, "summary")).startswith(WIND)
    assert await storage.readers.last_opened(READER) == newer.id
    narratives = await open_part_by_command(storage, renderer, READER, "narratives", "n", [])
    assert text_of(narratives).startswith("Pro-wind narrative")
    assert ShowPart(newer.id, "summary") in actions(narratives.keyboard)


async def test_a_brief_withdrawn_since_it_was_opened_falls_back_to_the_latest(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    latest = await publish("putin-north-korea.txt")
    opened = await publish("coastal-wind-farm.txt")
    await open_part(storage, renderer, READER, "summary", opened.id)
    await storage.briefs.retract(opened.id, by=None, at=NOW)
    facts = await open_part(storage, renderer, READER, "facts", None)
    assert text_of(facts).startswith(f"Facts · {PUTIN}")
    assert await storage.readers.last_opened(READER) == latest.id
    # Every brief withdrawn: nothing left to show.
    await storage.briefs.retract(latest.id, by=None, at=NOW)
    assert "There is no brief yet" in text_of(
        await open_part(storage, renderer, READER, "facts", None)
    )


async def test_start_alone_welcomes_and_help_explains(storage: Storage, renderer: Renderer) -> None:
    welcome = await start_reply(storage, renderer, READER, None)
    assert "Welcome to briefbot" in text_of(welcome)
    assert welcome.keyboard is None
    assert "How to read a brief" in text_of(help_reply(renderer))


@pytest.mark.parametrize(
    ("part", "starts"),
    [
        ("summary", PUTIN),
        ("facts", f"Facts · {PUTIN}"),
        ("sources", f"Sources · {PUTIN}"),
        ("narratives", "Anti-Russia narrative (1 of 2)"),
    ],
)
async def test_a_link_opens_its_part_and_makes_the_brief_current(
    storage: Storage, renderer: Renderer, publish: Publish, part: Part, starts: str
) -> None:
    stored = await publish("putin-north-korea.txt")
    await publish("coastal-wind-farm.txt")
    reply = await start_reply(storage, renderer, READER, OpenPart(stored.id, part))
    assert text_of(reply).startswith(starts)
    assert await storage.readers.last_opened(READER) == stored.id


async def test_a_link_to_a_brief_that_is_not_there_is_refused(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    missing = await start_reply(storage, renderer, READER, OpenPart(999, "facts"))
    assert "There is no brief #999" in text_of(missing)
    await storage.briefs.retract(stored.id, by=None, at=NOW)
    withdrawn = await start_reply(storage, renderer, READER, OpenPart(stored.id, "summary"))
    assert f"Brief #{stored.id} was withdrawn" in text_of(withdrawn)
    # A number no brief can have, as the chat app decoded it from the link: cut short.
    huge = await start_reply(storage, renderer, READER, unknown_brief("9" * 40))
    assert f"There is no brief #{'9' * 24}." in text_of(huge)
    assert await storage.readers.last_opened(READER) is None
