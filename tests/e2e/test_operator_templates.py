"""TEMPLATES_DIR as a newsroom uses it: its own templates replace the shipped ones by name,
its catalogues override translations or add a language (whose menu is then set too), and
anything in it the bot cannot speak from stops the start in one line naming file and line;
`briefbot check` says the same."""

from __future__ import annotations

from pathlib import Path

from bot.core.languages import speaking
from bot.core.rendering import Renderer
from bot.lifecycle import ExitCode
from tests.cli.test_check import check
from tests.conftest import DATA
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID, AppFactory, say
from tests.e2e.test_startup import assert_clean, environment
from tests.fakebot import FakeBotApi

FOLDERS = DATA / "operator_templates"
NEWSROOM = FOLDERS / "newsroom"
ADMIN_SCOPE = {"type": "chat", "chat_id": ADMIN_ID}


def descriptions(server: FakeBotApi, scope: dict[str, object] | None = None) -> dict[str, str]:
    """Each language's menu (""; the menu for every language): its first command's words."""
    return {
        code: server.commands(scope, code)[0]["description"]
        for code in ("", "es", "pt")
        if server.commands(scope, code)
    }


async def test_a_newsrooms_welcome_replaces_the_shipped_one(
    server: FakeBotApi, make_app: AppFactory
) -> None:
    async with make_app(TEMPLATES_DIR=str(NEWSROOM)):
        [welcome] = await say(server, server.user(7, "Grace"), "/start")
    assert welcome.text.splitlines()[0] == "Welcome to the Harbor Times briefs."
    assert "Welcome to briefbot" not in welcome.text


async def test_a_newsrooms_catalogues_override_and_add_languages_with_their_menus(
    server: FakeBotApi, make_app: AppFactory
) -> None:
    async with make_app(TEMPLATES_DIR=str(NEWSROOM)):
        pass
    menus = descriptions(server)
    assert menus == {
        "": "The latest brief: title, date and summary",
        "es": "El resumen de hoy de la redacción del Harbor Times",  # overrides the shipped
        "pt": "O resumo mais recente: título, data e síntese",  # a language added
    }
    # The admins' menus: the readers', then theirs, in each language too.
    assert descriptions(server, ADMIN_SCOPE) == menus
    assert "stats" in [c["command"] for c in server.commands(ADMIN_SCOPE, "pt")]
    # The Portuguese short description is the newsroom's; its description, untranslated,
    # is left to the text for every language rather than kept twice.
    assert server.profile.short_description("pt").startswith("Notícias contadas")
    assert server.profile.description("pt") == ""
    assert server.profile.description() == Renderer().render("bot_description.txt")
    assert server.errors() == []


async def test_the_start_costs_a_few_requests_per_language(
    server: FakeBotApi, make_app: AppFactory
) -> None:
    async with make_app(TEMPLATES_DIR=str(NEWSROOM)):
        pass
    languages = len(Renderer(overrides=NEWSROOM).catalogues.languages)
    methods = [call.method for call in server.calls]
    # The readers' menu and one admin's, each once per language; nothing read back.
    assert methods.count("setMyCommands") == 2 * languages
    assert methods.count("getMyCommands") == 0
    assert methods.count("getMyDescription") == languages
    assert methods.count("getMyShortDescription") == languages


async def test_the_operators_descriptions_are_for_every_language(
    server: FakeBotApi, make_app: AppFactory
) -> None:
    """Set after a start that set the newsroom's Portuguese one: that one is removed, so
    a Portuguese reader sees the operator's words, not the wording they replace."""
    async with make_app(TEMPLATES_DIR=str(NEWSROOM)):
        pass
    assert server.profile.short_description("pt") != ""
    async with make_app(TEMPLATES_DIR=str(NEWSROOM), BOT_SHORT_DESCRIPTION="Harbor briefs."):
        pass
    assert server.profile.short_descriptions == {"": "Harbor briefs."}


def test_the_newsrooms_translations_are_spoken_in_its_templates() -> None:
    renderer = Renderer(overrides=NEWSROOM)
    with speaking("es"):
        assert renderer.render("start.html").startswith(
            "<b>Bienvenido a los resúmenes del Harbor Times.</b>"
        )
    with speaking("pt"):
        # A message the catalogue leaves untranslated is said in English.
        assert renderer.render("start.html").endswith("Send /brief for the latest.")


async def stopped_start(server: FakeBotApi, tmp_path: Path, **env: str) -> str:
    """`briefbot run` with these settings: it must stop at once, with one line; that line."""
    settings = environment(server.url, tmp_path / "b.db", server.token) | env
    bot = await BotProcess.start(settings, tmp_path)
    assert await bot.finish(None) == ExitCode.UNUSABLE_SETTING
    assert_clean(bot.output, server.token)
    [line] = bot.stderr
    assert server.calls == []  # said before Telegram is asked anything
    return line.rstrip("\n")


async def test_a_template_that_does_not_compile_stops_the_start_and_fails_the_check(
    server: FakeBotApi, tmp_path: Path
) -> None:
    folder = FOLDERS / "broken_template"
    line = await stopped_start(server, tmp_path, TEMPLATES_DIR=str(folder))
    assert line.startswith(f"briefbot: {folder / 'start.html'}:3: Unexpected end of template")
    settings = environment(server.url, tmp_path / "b.db", server.token)
    checked = await check(tmp_path, settings | {"TEMPLATES_DIR": str(folder)})
    assert checked.code == ExitCode.UNUSABLE_SETTING
    assert f"PROBLEM  {folder / 'start.html'}:3: Unexpected end of template" in checked.out


async def test_a_translation_with_other_placeholders_stops_the_start(
    server: FakeBotApi, tmp_path: Path
) -> None:
    po = FOLDERS / "bad_placeholders" / "locale" / "es" / "LC_MESSAGES" / "messages.po"
    line = await stopped_start(server, tmp_path, TEMPLATES_DIR=str(po.parents[3]))
    assert line == (
        f"briefbot: {po}:8: the translation's placeholders ['numero'] differ from the "
        "message's ['number']"
    )


async def test_a_bot_language_without_a_catalogue_stops_the_start(
    server: FakeBotApi, tmp_path: Path
) -> None:
    line = await stopped_start(server, tmp_path, BOT_LANGUAGE="xx")
    assert line.startswith("briefbot: BOT_LANGUAGE xx has no catalogue; the bot speaks en")
