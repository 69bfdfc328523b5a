"""Links on source names in the admin's message become the sources' web addresses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.telegram.context import BriefApplication
from storage import Storage
from tests.e2e.conftest import press, say
from tests.fakebot import FakeBotApi, FakeUser

AL_JAZEERA = "https://www.aljazeera.com/news/2024/6/18/putin-north-korea"
TASS = "https://tass.com/politics/1805000"


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def link(text: str, anchor: str, url: str | None = None, *, after: str = "") -> dict[str, Any]:
    """A link entity on the first `anchor` after `after`, as Telegram sends it (UTF-16 offsets)."""
    start = text.index(anchor, text.index(after) if after else 0)
    entity: dict[str, Any] = {
        "type": "text_link" if url else "url",
        "offset": utf16(text[:start]),
        "length": utf16(anchor),
    }
    if url:
        entity["url"] = url
    return entity


async def test_links_on_source_names_become_source_urls(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    entities = [
        link(text, "24 years", "https://example.com/fact", after="Facts"),  # inside a fact
        link(text, "Al Jazeera", AL_JAZEERA, after="Sources:"),  # on the name alone
        link(text, "3TASS", TASS, after="Sources:"),  # on the whole entry, number included
    ]
    _, details = await say(server, admin, text, expect=2, entities=entities)
    await press(server, admin, details, "Publish", expect=1)

    stored = await storage.briefs.latest()
    assert stored is not None
    urls = {source.name: source.url for source in stored.brief.sources}
    assert urls == {
        "Al Jazeera": AL_JAZEERA,
        "POLITICO": None,
        "TASS": TASS,
        "BBC News": None,
        "Guardian": None,
        "The Diplomat": None,
    }
    assert all("example.com" not in fact.text for fact in stored.brief.facts)

    [sources] = await say(server, reader, "/sources")
    links = {e["url"] for e in sources.entities if e["type"] == "text_link"}
    assert links == {AL_JAZEERA, TASS}
    [facts] = await say(server, reader, "/facts")
    cited = {e["url"] for e in facts.entities if e["type"] == "text_link"}
    assert cited == {AL_JAZEERA, TASS}  # the citations [1] and [3] link to their sources


async def test_links_survive_a_split_paste(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    cut = text.index("Sources:")
    first, second = text[:cut].rstrip("\n"), text[cut:]
    before = len(server.sent(admin.id))
    await server.send_text(admin, first)
    await server.send_text(
        admin, second, entities=[link(second, "6The Diplomat", "https://thediplomat.com/x")]
    )
    _, details = (await server.wait_sent(admin.id, before + 2))[before:]
    await press(server, admin, details, "Publish", expect=1)
    stored = await storage.briefs.latest()
    assert stored is not None
    source = stored.brief.source(6)
    assert source is not None
    assert source.url == "https://thediplomat.com/x"


async def test_block_sources_keep_their_written_addresses(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    """Telegram marks the written addresses as `url` entities; they stay where they are."""
    text = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    written = [
        "https://example.org/gazette/harbor-bridge-toll",
        "https://example.org/northfield/bridge-report",
        "https://example.org/ledger/toll-vote",
    ]
    entities = [
        *(link(text, url) for url in written),
        link(text, "Harbor Ledger", "https://elsewhere.example/ledger", after="3. "),
        link(text, "Island Weekly", "https://islandweekly.example/toll", after="4. "),
    ]
    entities.sort(key=lambda e: int(e["offset"]))
    _, details = await say(server, admin, text, expect=2, entities=entities)
    await press(server, admin, details, "Publish", expect=1)
    stored = await storage.briefs.latest()
    assert stored is not None
    assert [s.url for s in stored.brief.sources] == [
        *written,  # an address written in the text wins over a link on the name
        "https://islandweekly.example/toll",
    ]
