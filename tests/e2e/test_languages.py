"""Readers in their own language, end to end: what Telegram users with their app in Spanish,
Ukrainian, Russian, Arabic or Brazilian Portuguese see, through the real Application and the
strict local Bot API server.

What each should read is rendered here from the same templates and shipped catalogues in
their language (and checked to differ from the English), so these tests follow the
translations as translators improve them, and fail when the bot answers in another
language than the reader's.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.channels.posts import channel_post
from bot.core.chat import Part, Reply
from bot.core.finding import archive_page, search_results
from bot.core.languages import speaking
from bot.core.publishing.corrections import replace_copies
from bot.core.reading import help_reply, render_part, shared_look
from bot.core.rendering import Renderer
from bot.core.subscriptions.language_choice import native_name
from bot.core.subscriptions.subscribing import local_due
from bot.telegram import channel_jobs
from bot.telegram.context import BriefApplication
from storage import Storage, StoredBrief
from tests.e2e.conftest import ADMIN_ID, AppFactory, press, publish_file, say
from tests.e2e.push.conftest import add_subscribers
from tests.fakebot import FakeBotApi, FakeUser, SentMessage
from tests.fakebot.html import parse_html

READER = 42
CHANNEL = -1001234567890
BRIEFS = Path(__file__).parents[1] / "data" / "briefs"
RENDERER = Renderer()
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def fresh_renderer() -> None:
    """A renderer of the test's own: renders are kept by brief number and version, which
    each test's new database gives again to another brief."""
    global RENDERER
    RENDERER = Renderer()


def plain(html: str) -> str:
    """What a Telegram user reads of an HTML text."""
    return parse_html(html)[0].strip()


def in_language(language: str, reply: Reply) -> list[str]:
    return [plain(text) for text in reply.texts]


def part_in(language: str, stored: StoredBrief, part: Part) -> list[str]:
    with speaking(language):
        return in_language(language, render_part(RENDERER, stored, part))


def label(language: str, part: str) -> str:
    with speaking(language):
        return RENDERER.label(part)


def labels(message: SentMessage) -> list[str]:
    return [button["text"] for row in message.buttons for button in row]


async def texts_of(server: FakeBotApi, user: FakeUser, command: str, count: int) -> list[str]:
    return [m.text.strip() for m in await say(server, user, command, count)]


@pytest.mark.parametrize(
    ("language", "brief"),
    [("es", "es/valencia-bike-lanes.txt"), ("uk", "uk/lviv-night-trams.txt")],
)
async def test_a_reader_reads_every_part_in_their_language(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path, language: str, brief: str
) -> None:
    stored = await publish_file(db_path, BRIEFS / brief)
    reader = server.user(READER, language_code=language)
    [welcome] = await texts_of(server, reader, "/start", 1)
    with speaking(language):
        spoken_help = in_language(language, help_reply(RENDERER))
    english_help = in_language("en", help_reply(RENDERER))
    assert spoken_help != english_help
    assert await texts_of(server, reader, "/help", len(spoken_help)) == spoken_help
    assert welcome != plain(Renderer().render("start.html"))

    [summary] = await say(server, reader, "/brief")
    assert summary.text.strip() == part_in(language, stored, "summary")[0]
    facts, sources, narratives = (label(language, p) for p in ("facts", "sources", "narratives"))
    assert labels(summary)[:3] == [facts, sources, narratives]
    assert facts != label("en", "facts")
    # Each part by button and by command, the brief's own words as written.
    _, shown = await press(server, reader, summary, facts, expect=1)
    assert [m.text.strip() for m in shown] == part_in(language, stored, "facts")
    assert await texts_of(server, reader, f"/sources {stored.id}", 1) == part_in(
        language, stored, "sources"
    )
    told = part_in(language, stored, "narratives")
    assert await texts_of(server, reader, "/narratives", len(told)) == told


async def test_archive_search_and_subscription_speak_the_readers_language(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    await publish_file(db_path, BRIEFS / "es" / "valencia-bike-lanes.txt")
    reader = server.user(READER, language_code="es-ES")
    async with await Storage.open(db_path) as storage:
        with speaking("es"):
            archive = in_language("es", await archive_page(storage, RENDERER, 1))
            found = in_language("es", await search_results(storage, RENDERER, "carriles"))
            missing = in_language("es", await search_results(storage, RENDERER, "zzzz"))
    assert await texts_of(server, reader, "/archive", 1) == archive
    assert await texts_of(server, reader, "/search carriles", 1) == found
    assert await texts_of(server, reader, "/search zzzz", 1) == missing
    [subscribed] = await texts_of(server, reader, "/subscribe 07:30 Europe/Madrid", 1)
    async with await Storage.open(db_path) as storage:
        subscriber = await storage.subscribers.get(READER)
    assert subscriber is not None
    with speaking("es", "Europe/Madrid"):
        done = RENDERER.render(
            "subscribe_done.html", subscriber=subscriber, next=local_due(subscriber)
        )
    assert subscribed == plain(done)
    assert "07:30" in subscribed


async def test_the_daily_push_is_written_in_each_subscribers_language(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    """No update to read a language from: the one kept when the reader subscribed."""
    stored = await publish_file(db_path, BRIEFS / "uk" / "lviv-night-trams.txt")
    ukrainian, arabic, english = (
        server.user(chat, language_code=code) for chat, code in ((51, "uk"), (52, "ar"), (53, "en"))
    )
    await add_subscribers(db_path, [51, 52, 53], clock=time(7, 30))  # a day ago
    for reader in (ukrainian, arabic, english):
        await say(server, reader, "/subscribe 07:30")  # the same, from their apps
    async with await Storage.open(db_path) as storage:  # due now, the brief in its window
        for chat_id in (51, 52, 53):
            await storage.subscribers.reschedule(
                chat_id, next_due_at=datetime.now(UTC), delivered_at=datetime.now(UTC) - DAY
            )
    push = bot_app.bot_data.services.push
    assert push is not None
    await push.deliver_due()
    for reader, language in ((ukrainian, "uk"), (arabic, "ar"), (english, "en")):
        [pushed] = server.sent(reader.id)[-1:]
        assert pushed.text.strip() == part_in(language, stored, "summary")[0]
        assert labels(pushed)[0] == label(language, "facts")
    assert label("ar", "facts") != label("en", "facts")


async def test_a_brazilian_reader_gets_the_default_language(
    server: FakeBotApi, bot_app: BriefApplication
) -> None:
    """The bot has no Portuguese: pt-BR, then pt, then BOT_LANGUAGE (English)."""
    reader = server.user(READER, language_code="pt-br")
    english = in_language("en", help_reply(RENDERER))
    assert await texts_of(server, reader, "/help", len(english)) == english


async def test_a_chosen_language_is_kept_across_restarts(
    server: FakeBotApi, make_app: AppFactory, db_path: Path
) -> None:
    reader = server.user(READER, language_code="en")
    with speaking("ru"):
        russian = in_language("ru", help_reply(RENDERER))
    async with make_app():
        [menu] = await say(server, reader, "/language")
        assert labels(menu)[:5] == ["English", "Español", "Українська", "Русский", "العربية"]
        answer, _ = await press(server, reader, menu, "Русский")
        assert answer is not None
        assert native_name("ru") in str(answer.get("text"))
        assert await texts_of(server, reader, "/help", len(russian)) == russian
    async with make_app():  # a restart: the choice is in the database
        assert await texts_of(server, reader, "/help", len(russian)) == russian
        [refused] = await texts_of(server, reader, "/language pt", 1)
        assert "/language es" in refused
        await say(server, reader, "/language auto", 2)
        english = in_language("en", help_reply(RENDERER))
        assert await texts_of(server, reader, "/help", len(english)) == english


async def test_inline_answers_are_each_users_own(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    """Results written in the user's language: Telegram must not cache them for everyone."""
    stored = await publish_file(db_path, BRIEFS / "es" / "valencia-bike-lanes.txt")
    reader = server.user(READER, language_code="uk")
    server.inline.turn_on()
    query_id = server.inline.send_query(reader, "")
    [call] = await server.wait_for_call(
        "answerInlineQuery", where=lambda c: c.params["inline_query_id"] == query_id
    )
    assert call.params["is_personal"] is True
    [result] = call.params["results"]
    with speaking("uk"):
        [shared] = shared_look(RENDERER, stored).texts
    assert result["input_message_content"]["message_text"] == shared


async def test_a_withdrawal_reaches_each_pushed_copy_in_its_readers_language(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    """Corrections and withdrawals edit copies with no update to read a language from."""
    stored = await publish_file(db_path, BRIEFS / "ru" / "yekaterinburg-paid-parking.txt")
    russian, spanish = server.user(61, language_code="ru"), server.user(62, language_code="es")
    await add_subscribers(db_path, [61, 62], clock=time(7, 30))
    for reader in (russian, spanish):
        await say(server, reader, "/subscribe 07:30")
    async with await Storage.open(db_path) as storage:
        for chat_id in (61, 62):
            await storage.subscribers.reschedule(
                chat_id, next_due_at=datetime.now(UTC), delivered_at=datetime.now(UTC) - DAY
            )
    services = bot_app.bot_data.services
    assert services.push is not None
    await services.push.deliver_due()
    [pushed_ru], [pushed_es] = server.sent(61)[-1:], server.sent(62)[-1:]
    withdrawn = await services.storage.briefs.retract(stored.id, by=None, at=datetime.now(UTC))
    assert withdrawn is not None
    await replace_copies(
        services.messenger, services.storage, services.renderer, withdrawn, withdrawn=True
    )
    for message, language in ((pushed_ru, "ru"), (pushed_es, "es")):
        [edited] = [m for m in server.sent(message.chat_id) if m.message_id == message.message_id]
        with speaking(language):
            note = RENDERER.render("copy_withdrawn.html", title=stored.brief.title)
        assert edited.text.strip() == plain(note)
    assert plain(note) != plain(RENDERER.render("copy_withdrawn.html", title=stored.brief.title))


async def test_a_channel_is_posted_to_in_its_own_language(
    server: FakeBotApi, make_app: AppFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(channel_jobs, "CHANNELS_TICK", timedelta(seconds=0.2))
    server.channel(CHANNEL, "Noticias", username="briefs_es")
    async with make_app(CHANNEL_IDS="@briefs_es:es"):
        stored = await publish_file(db_path, BRIEFS / "putin-north-korea.txt")
        [post] = await server.wait_sent(CHANNEL, 1)
    with speaking("es"):
        summary = RENDERER.memo(("test", "es"), lambda: channel_post(RENDERER, stored))
    assert post.text.strip() == plain(summary.texts[0])
    assert labels(post)[0] == label("es", "facts") != label("en", "facts")


@pytest.mark.parametrize(
    ("language", "brief"),
    [("es", "es/valencia-bike-lanes.txt"), ("uk", "uk/lviv-night-trams.txt")],
)
async def test_an_editor_publishes_a_brief_as_written_in_their_language(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path, language: str, brief: str
) -> None:
    """The example briefs, pasted as a newsroom writes them, by an editor whose app speaks
    the same language: previewed and published in it, read as written."""
    editor = server.user(ADMIN_ID, "Editor", language_code=language)
    text = (BRIEFS / brief).read_text(encoding="utf-8")
    _, details = await say(server, editor, text, expect=2)
    with speaking(language):
        publish = RENDERER.render("admin_button.txt", action="publish")
    assert publish != Renderer().render("admin_button.txt", action="publish")
    await press(server, editor, details, publish, expect=1)
    async with await Storage.open(db_path) as storage:
        stored = await storage.briefs.latest()
    assert stored is not None
    assert stored.brief.language == language
    assert stored.brief.title == text.splitlines()[0]
    reader = server.user(READER, language_code="en")
    [summary] = await say(server, reader, "/brief")
    assert summary.text.strip() == part_in("en", stored, "summary")[0]
    assert stored.brief.title in summary.text


async def test_a_brief_mixing_two_languages_is_refused_with_its_lines(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path
) -> None:
    editor = server.user(ADMIN_ID, "Editor", language_code="es")
    text = (BRIEFS / "es" / "valencia-bike-lanes.txt").read_text(encoding="utf-8")
    mixed = text.replace("Fuentes:", "Sources:")
    [refused] = await say(server, editor, mixed)
    line = next(n for n, row in enumerate(mixed.splitlines(), 1) if row.startswith("Sources:"))
    assert f"línea {line}:" in refused.text  # told in the editor's language
    assert "Sources" in refused.text
    assert "Hechos" in refused.text
    async with await Storage.open(db_path) as storage:
        assert await storage.briefs.latest() is None
