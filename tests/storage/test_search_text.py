# ruff: noqa: RUF001 - look-alike letters and apostrophes are what these tests are about
"""Any text a reader sends searches, on SQLite and PostgreSQL alike: letters of every kind,
apostrophes, quotes, either engine's query operators, control characters, odd code points,
long texts and none. And what a short last word finds."""

import random
import sqlite3
import sys
import unicodedata
from dataclasses import replace

import pytest

from brief.model import Brief, Fact
from storage import Storage
from storage.search import query_words
from storage.search_index import SEARCH_V3
from storage.snippets import MARK_END, MARK_START
from tests.storage.conftest import at, make_brief

APOSTROPHES = "'’‘ʼʻʹʽˈ`´′＇ŉ"
OPERATORS = [
    *'"*^:()+-{}&|!<>\\',
    *("AND", "OR", "NOT", "NEAR", "NEAR/2", "title:", "{title}:", "<->", "<2>", ":*", ":A"),
]
ODD = [
    "",
    " ",
    "\t\n\r\x0b\x0c",
    "\u00a0\u2003\u3000",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\ufeff",
    "\u200b\u200d",
    "\u202e",
    "\ufffe\uffff",
    "\U0010ffff",
    "\ue000",
    "\U000f0000",
    "e\u0301",
    "\u0301",
    "🏳️‍🌈",
    "👍🏽",
    "︎\ufe0f",
    "ﬁ",
    "ß",
    "İ",
    "ǅ",
    "Ⅷ",
    "¼",
    "²",
    "٣٤",
    "가",
    "ｆｕｌｌ",
    "𞤀𞤁",
    "हिन्दी",
    "ภาษาไทย",
    "中文",
    "\U0001d400",
]


def letters_of_every_category() -> list[str]:
    """Eight code points of each Unicode general category (a fixed sample), surrogates
    aside: a Telegram message, being UTF-8, never holds one."""
    found: dict[str, list[str]] = {}
    for point in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(point))
        if category != "Cs":
            found.setdefault(category, []).append(chr(point))
    rng = random.Random(17)
    return [c for chars in found.values() for c in rng.sample(chars, min(8, len(chars)))]


def hostile_texts() -> list[str]:
    texts = list(ODD)
    for c in letters_of_every_category():
        texts += [c, f"a{c}b", f"harbor {c}{c}", f"{c}x"]
    for mark in APOSTROPHES:
        texts += [mark, mark * 3, f"м{mark}ясо", f"Ky{mark}iv", f"Hawai{mark}i", f"harbor {mark}"]
    for op in OPERATORS:
        texts += [op, f"harbor {op}", f"{op}harbor", f"'{op}'", f'"{op}"']
    texts += ["мʼясо" * 1000, "'" * 5000, "a " * 2500, "\x00" * 5000, "ʼ" + "x" * 4999]
    return texts


def _brief(title: str, fact: str = "A plain fact", summary: str = "Plain summary") -> Brief:
    return replace(make_brief("x"), title=title, summary=summary, facts=(Fact(fact, (1,)),))


async def test_any_text_searches_and_finds_only_live_briefs(storage: Storage) -> None:
    live = await storage.briefs.publish(_brief("Harbor vote on мʼясо prices"), by=None, at=at(0))
    gone = await storage.briefs.publish(_brief("Harbor bridge"), by=None, at=at(1))
    await storage.briefs.retract(gone.id, by=None, at=at(2))
    texts = hostile_texts()
    assert len(texts) > 450
    for text in texts:
        for limit, offset in ((5, 0), (21, 0), (21, 20)):
            hits = await storage.search.search(text, limit=limit, offset=offset)
            assert [h.id for h in hits] in ([], [live.id]), text
            for hit in hits:
                assert hit.title == "Harbor vote on мʼясо prices"
                assert hit.snippet.count(MARK_START) == hit.snippet.count(MARK_END)


@pytest.mark.parametrize(
    ("written", "searched"),
    [
        ("Ціни на мʼясо зросли", ["мʼясо", "м'ясо", "м’ясо", "МʼЯСО", "мʼя", "ціни мʼ"]),
        ("Kyʼiv talks", ["Kyʼiv", "ky'iv", "Ky’iv talks", "kyʼi"]),
        ("Hawaiʻi votes", ["Hawaiʻi", "hawai'i", "Hawaiʻ", "votes hawaiʻi"]),
        ("Storm hits Hawai'i", ["Hawaiʻi", "hawai’i"]),
    ],
)
async def test_words_with_apostrophes_find_their_brief_however_typed(
    storage: Storage, written: str, searched: list[str]
) -> None:
    await storage.briefs.publish(_brief("Unrelated news"), by=None, at=at(0))
    stored = await storage.briefs.publish(_brief(written), by=None, at=at(1))
    for text in searched:
        assert [h.id for h in await storage.search.search(text)] == [stored.id], text


async def test_a_one_letter_last_word_narrows_to_words_starting_with_it(
    storage: Storage,
) -> None:
    quay = await storage.briefs.publish(_brief("Harbor quay repaired"), by=None, at=at(0))
    vote = await storage.briefs.publish(_brief("Harbor vote"), by=None, at=at(1))
    qatar = await storage.briefs.publish(_brief("Qatar talks"), by=None, at=at(2))
    # Alone: the newest briefs with a word starting with the letter.
    assert [h.id for h in await storage.search.search("q")] == [qatar.id, quay.id]
    assert [h.id for h in await storage.search.search("Q", limit=1, offset=1)] == [quay.id]
    # After other words: those words rank, the letter filters.
    assert [h.id for h in await storage.search.search("harbor q")] == [quay.id]
    assert [h.id for h in await storage.search.search("harbor v")] == [vote.id]
    assert await storage.search.search("harbor z") == []


async def test_title_matches_come_first_then_summary_matches_then_the_newest(
    storage: Storage,
) -> None:
    in_title = await storage.briefs.publish(_brief("Harbor vote"), by=None, at=at(0))
    in_summary = await storage.briefs.publish(
        _brief("Council", summary="The harbor vote passed"), by=None, at=at(1)
    )
    in_fact = await storage.briefs.publish(
        _brief("Council", fact="The harbor vote passed"), by=None, at=at(2)
    )
    newer_in_fact = await storage.briefs.publish(
        _brief("Council again", fact="A vote on the harbor"), by=None, at=at(3)
    )
    # One of the words in the title is not all of them: it ranks as a fact match.
    split = await storage.briefs.publish(_brief("Harbor news", fact="A vote"), by=None, at=at(4))
    expected = [in_title.id, in_summary.id, split.id, newer_in_fact.id, in_fact.id]
    for query in ("harbor vote", "vote harbor", "harbor vo", "HARBOR VOTE"):
        hits = await storage.search.search(query)
        assert [h.id for h in hits] == expected, query


def test_every_word_a_reader_types_is_one_token_of_the_index() -> None:
    """The SQLite index keeps no positions, so FTS5 refuses a quoted string of two tokens
    (a phrase): each letter and digit Python reads as part of a word must be one the
    index's tokenizer keeps in its word too."""
    conn = sqlite3.connect(":memory:")
    table = SEARCH_V3[1].replace("brief_search", "words", 1)
    conn.execute(table)
    conn.execute("CREATE VIRTUAL TABLE counted USING fts5vocab(words, 'instance')")
    letters = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if not 0xD800 <= c < 0xE000 and query_words(f"q{chr(c)}q") == [f"q{chr(c)}q"]
    ]
    conn.executemany(
        "INSERT INTO words (rowid, title) VALUES (?, ?)",
        [(n, f"q{c}q") for n, c in enumerate(letters, 1)],
    )
    split = conn.execute("SELECT doc FROM counted GROUP BY doc HAVING count(*) <> 1").fetchall()
    assert len(letters) > 100_000
    assert [letters[doc - 1] for (doc,) in split] == []
    assert conn.execute("SELECT count(DISTINCT doc) FROM counted").fetchone() == (len(letters),)


async def test_matches_older_than_the_newest_briefs_are_found_too(
    storage: Storage, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL ranks the matches among the newest RECENT briefs and asks its index for
    older ones only when those are fewer than the page, the NEAR briefs just older first:
    shrunk to 2 and 1 here, so that the older ones are found both ways (on SQLite the
    settings do nothing). The index holds prefixes of up to eight letters: a longer last
    word is asked of it by its first eight, and the brief's words check the rest; on
    PostgreSQL it is asked for the word's stems too ("shipbuild" for "shipbuilde")."""
    monkeypatch.setattr("storage.search.RECENT", 2)
    monkeypatch.setattr("storage.search.NEAR", 1)
    quay = await storage.briefs.publish(
        _brief("Harbor quay repaired", fact="Shipbuilders and Hawaiʻi"), by=None, at=at(0)
    )
    bridge = await storage.briefs.publish(
        _brief("Harbor bridge", fact="Shipbuilding"), by=None, at=at(1)
    )
    for n in range(3):
        await storage.briefs.publish(_brief(f"Council meets {n}"), by=None, at=at(2 + n))
    assert [h.id for h in await storage.search.search("harbor")] == [bridge.id, quay.id]
    assert [h.id for h in await storage.search.search("harbor q")] == [quay.id]
    assert [h.id for h in await storage.search.search("harbor qua")] == [quay.id]
    assert [h.id for h in await storage.search.search("q")] == [quay.id]
    assert [h.id for h in await storage.search.search("qua")] == [quay.id]
    assert [h.id for h in await storage.search.search("harbor", limit=1, offset=1)] == [quay.id]
    assert await storage.search.search("harbor z") == []
    stemmed = [bridge.id, quay.id] if backend == "postgresql" else [quay.id]
    for query, expected in (
        ("shipbuil", [bridge.id, quay.id]),
        ("harbor shipbuilde", stemmed),
        ("shipbuildi", [bridge.id]),
        ("shipbuilt", []),
        ("hawai'i", [quay.id]),
        ("hawaiʻ", [quay.id]),
        ("harbor hawaiʻi shipbuilders", [quay.id]),
    ):
        assert [h.id for h in await storage.search.search(query)] == expected, query


async def test_a_short_last_word_finds_itself_and_the_words_it_starts(storage: Storage) -> None:
    """Prefixes of up to eight letters are words of their own in PostgreSQL's index: the
    word that is the prefix, and the words it starts, are both found, and nothing that
    only holds it inside a word."""
    war = await storage.briefs.publish(_brief("War games"), by=None, at=at(0))
    warship = await storage.briefs.publish(_brief("Warship sails"), by=None, at=at(1))
    await storage.briefs.publish(_brief("Awards night"), by=None, at=at(2))
    for query in ("war", "wa", "WAR", "games wa", "w"):
        expected = [war.id] if query.startswith("games") else [warship.id, war.id]
        assert [h.id for h in await storage.search.search(query)] == expected, query
    assert [h.id for h in await storage.search.search("warsh")] == [warship.id]
    assert [h.id for h in await storage.search.search("warship")] == [warship.id]
    assert await storage.search.search("ards") == []
