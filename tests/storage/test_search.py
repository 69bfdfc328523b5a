from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from brief.model import Brief, Fact
from storage import Storage
from storage.search import match_expression, query_words
from storage.snippets import MARK_END, MARK_START, snippet
from tests.storage.conftest import at, make_brief


def _brief(title: str, summary: str = "Plain summary", fact: str = "A plain fact") -> Brief:
    return replace(make_brief("x"), title=title, summary=summary, facts=(Fact(fact, (1,)),))


async def test_a_word_found_only_in_one_fact_finds_its_brief(storage: Storage) -> None:
    await storage.briefs.publish(_brief("Bridge vote"), by=None, at=at(0))
    target = await storage.briefs.publish(
        _brief("Budget talks", fact="The ferry operator filed for insolvency"), by=None, at=at(1)
    )
    [hit] = await storage.search.search("insolvency")
    assert hit.id == target.id
    assert hit.title == "Budget talks"
    assert f"{MARK_START}insolvency{MARK_END}" in hit.snippet


async def test_a_title_match_ranks_above_a_fact_match(storage: Storage) -> None:
    in_fact = await storage.briefs.publish(
        _brief("Port strike", fact="Talks on the harbour bridge stalled"), by=None, at=at(0)
    )
    in_title = await storage.briefs.publish(_brief("Harbour bridge vote"), by=None, at=at(1))
    hits = await storage.search.search("harbour bridge")
    assert [h.id for h in hits] == [in_title.id, in_fact.id]


async def test_diacritics_are_ignored_and_the_last_word_is_a_prefix(storage: Storage) -> None:
    stored = await storage.briefs.publish(_brief("Kyïv talks resume"), by=None, at=at(0))
    for query in ("kyiv", "KYÏV", "Kyiv tal", "ky"):
        assert [h.id for h in await storage.search.search(query)] == [stored.id], query
    # Only the last word is a prefix: a word in the middle must be whole.
    assert await storage.search.search("ky talks") == []


async def test_every_word_must_match(storage: Storage) -> None:
    await storage.briefs.publish(_brief("Bridge vote"), by=None, at=at(0))
    assert await storage.search.search("bridge election") == []


async def test_a_correction_is_searched_as_corrected_and_a_withdrawal_not_at_all(
    storage: Storage,
) -> None:
    stored = await storage.briefs.publish(_brief("Bridge vote"), by=None, at=at(0))
    await storage.briefs.correct(stored.id, _brief("Tunnel vote"), by=None, at=at(1))
    assert await storage.search.search("bridge") == []
    assert [h.id for h in await storage.search.search("tunnel")] == [stored.id]
    await storage.briefs.retract(stored.id, by=None, at=at(2))
    assert await storage.search.search("tunnel") == []
    assert await storage.search.search("vote") == []


async def test_query_syntax_is_only_words(storage: Storage) -> None:
    stored = await storage.briefs.publish(
        _brief("Near and far: not a vote", summary='A "quoted" title: colon'), by=None, at=at(0)
    )
    for query in (
        '"',
        '"unbalanced',
        "NEAR",
        "near(a b)",
        "AND",
        "not OR",
        "*",
        "title:near",
        "^far",
        'quoted"',
        "-vote",
        "a + b",
        "(",
        "NEAR/2",
    ):
        hits = await storage.search.search(query)  # never raises
        assert all(h.id == stored.id for h in hits), query
    assert [h.id for h in await storage.search.search("NEAR AND far")] == [stored.id]
    assert await storage.search.search('*** "" ()') == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_makes_a_query_of_quoted_words(text: str) -> None:
    expression = match_expression(query_words(text))
    if expression is None:
        return
    # Each word quoted (its spellings, one of which must match, between parentheses).
    words = [
        w.removesuffix("*")
        for w in expression.replace("(", " ").replace(")", " ").split()
        if w not in ("OR", "AND")
    ]
    assert all(w.startswith('"') and w.endswith('"') and w.count('"') == 2 for w in words)


async def test_hostile_text_never_raises_against_the_index(storage: Storage) -> None:
    await storage.briefs.publish(_brief("Bridge vote"), by=None, at=at(0))
    for query in ("\x00", "é" * 5000, "🙂 bridge", "b" * 10_000, "' OR 1=1 --", "\ud800"):
        assert len(await storage.search.search(query)) <= 1, query


async def test_results_come_a_page_at_a_time(storage: Storage) -> None:
    stored = [
        await storage.briefs.publish(_brief(f"Harbour report {n}"), by=None, at=at(n))
        for n in range(7)
    ]
    first = await storage.search.search("harbour", limit=5)
    rest = await storage.search.search("harbour", limit=5, offset=5)
    # Equal scores: the newest first.
    assert [h.id for h in first + rest] == [s.id for s in reversed(stored)]


def test_a_snippet_shows_the_words_around_the_match_marked() -> None:
    text = "One two three four five six Kyïv seven eight nine ten eleven twelve thirteen"
    assert snippet(["Title", text], ["kyiv"]) == (
        f"…four five six {MARK_START}Kyïv{MARK_END} seven eight nine ten eleven twelve thirteen"
    )
    # The last word of a query is a prefix; the others whole words; no match: the start.
    assert snippet(["Harbourside harbor"], ["harb", "x"]) == "Harbourside harbor"
    assert snippet(["Harbourside harbor"], ["harb"]) == (
        f"{MARK_START}Harbourside{MARK_END} {MARK_START}harbor{MARK_END}"
    )
    assert snippet(["", "First\nfact, second"], ["second"]) == (
        f"First fact, {MARK_START}second{MARK_END}"
    )


def test_a_snippet_marks_the_words_a_stem_starts() -> None:
    """PostgreSQL found the brief by a stem of the reader's word ("vote" for "voting"):
    the words it starts are marked, in the first column holding one."""
    columns = ["Harbor news", "The council votes; voters wait"]
    assert snippet(columns, ["voting"], ["vote"]) == (
        f"The council {MARK_START}votes{MARK_END}; {MARK_START}voters{MARK_END} wait"
    )
    assert snippet(columns, ["voting"]) == "Harbor news"
