# ruff: noqa: RUF001 - the Ukrainian apostrophe (U+02BC) is what these tests are about
"""`/search` and inline mode with words a Ukrainian reader types: the apostrophe U+02BC
inside a word, on SQLite and on PostgreSQL (where it once made the query fail)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.telegram.context import BriefApplication
from storage import StoredBrief
from tests.e2e.conftest import AppFactory, say, settled
from tests.e2e.test_inline import ask, brief, storage_of, titles
from tests.fakebot import FakeBotApi, FakeUser
from tests.postgres import migrated_schema, needs_postgres

TITLE = "Ціни на мʼясо зросли"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_postgres)])
async def app(
    request: pytest.FixtureRequest, make_app: AppFactory
) -> AsyncIterator[BriefApplication]:
    """The bot on either engine (PostgreSQL: an empty, migrated schema)."""
    if request.param == "sqlite":
        async with make_app() as application:
            yield application
        return
    async with migrated_schema() as url, make_app(DATABASE_URL=url) as application:
        yield application


@pytest.fixture
def reader(server: FakeBotApi) -> FakeUser:
    server.inline.turn_on(feedback=True)
    return server.user(4242, "Oksana")


async def _publish(app: BriefApplication) -> StoredBrief:
    storage = storage_of(app)
    await storage.briefs.publish(brief("Harbor bridge vote"), by=None, at=datetime.now(UTC))
    meat = replace(brief(TITLE), summary="Мʼясо подорожчало на десяту частину.")
    return await storage.briefs.publish(meat, by=None, at=datetime.now(UTC))


@pytest.mark.parametrize("words", ["мʼясо", "м'ясо", "МʼЯС"])
async def test_search_finds_a_word_with_the_ukrainian_apostrophe(
    server: FakeBotApi, app: BriefApplication, reader: FakeUser, db_path: Path, words: str
) -> None:
    stored = await _publish(app)
    [reply] = await say(server, reader, f"/search {words}")
    assert reply.text.startswith(f"Found for “{words}”:")
    assert [row[0]["text"] for row in reply.buttons] == [stored.brief.title]
    assert server.errors() == []
    await settled(server, app)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("мʼ", [TITLE]),
        ("мʼя", [TITLE]),
        ("ціни мʼясо", [TITLE]),
        ("Kyʼiv", []),
        ("ʻʹʽˈŉ", []),
        ("ʼ", [TITLE, "Harbor bridge vote"]),  # no word yet: the latest, as for ""
    ],
)
async def test_inline_queries_with_apostrophe_letters_are_answered(
    server: FakeBotApi, app: BriefApplication, reader: FakeUser, query: str, found: list[str]
) -> None:
    await _publish(app)
    answer = await ask(server, reader, query)
    assert titles(answer) == found
    assert server.errors() == []
    assert server.sent(reader.id) == []  # no "something went wrong"
