"""The bot explaining itself (bot/core/guide.py): /id in a private chat, in a group and from
a message sent on behalf of a chat; the admins' /help; the bot's descriptions."""

from __future__ import annotations

import pytest

from bot.config.profile import DESCRIPTION_MAX, SHORT_DESCRIPTION_MAX
from bot.core.guide import admin_help_reply, descriptions, identity_reply
from bot.core.reading import help_reply
from bot.core.rendering import Renderer
from tests.core.conftest import text_of

USER = 4242
GROUP = -1001234567890
CHANNEL = -1009876543210
ADMIN_COMMANDS = ("template", "correct", "cancel", "retract", "push", "history", "stats", "id")


def test_id_in_a_private_chat_tells_the_user_id_and_how_to_become_admin(
    renderer: Renderer,
) -> None:
    reply = identity_reply(renderer, chat_id=USER, private=True, user_id=USER)
    text = text_of(reply)
    assert text.splitlines()[0] == f"Your Telegram user id: {USER}"
    assert f"ADMIN_IDS={USER}" in text
    assert "This chat's id" not in text
    assert reply.keyboard is None


def test_id_in_a_group_tells_the_user_id_and_the_chats(renderer: Renderer) -> None:
    text = text_of(identity_reply(renderer, chat_id=GROUP, private=False, user_id=USER))
    assert text.splitlines() == [f"Your Telegram user id: {USER}", f"This chat's id: {GROUP}"]


def test_id_from_an_anonymous_admin_tells_the_chats_id_and_where_to_ask(
    renderer: Renderer,
) -> None:
    text = text_of(
        identity_reply(renderer, chat_id=GROUP, private=False, user_id=None, sender_chat_id=GROUP)
    )
    assert "Telegram does not tell bots who you are" in text
    assert "send /id to me in a private chat" in text
    assert text.splitlines()[-1] == f"This chat's id: {GROUP}"
    assert "user id:" not in text


def test_id_written_as_a_channel_tells_the_channels_id_and_the_chats(renderer: Renderer) -> None:
    text = text_of(
        identity_reply(renderer, chat_id=GROUP, private=False, user_id=None, sender_chat_id=CHANNEL)
    )
    assert f"You wrote as a chat whose id is {CHANNEL}" in text
    assert text.splitlines()[-1] == f"This chat's id: {GROUP}"


def test_the_admin_help_has_every_admin_command_with_an_example_and_the_format(
    renderer: Renderer,
) -> None:
    text = text_of(admin_help_reply(renderer, []))
    for command in ADMIN_COMMANDS:
        assert f"/{command}" in text, command
    for example in ("/correct 3", "/retract 3", "/history 3", "/push 3"):
        assert example in text
    lines = text.splitlines()
    format_lines = lines[lines.index("The brief format") + 1 :][:5]
    assert format_lines[0] == "The title on the first line, then the summary."
    assert "- The vote is on 3 May.1" in format_lines[1]
    assert format_lines[2] == "Sources: 1Harbor Times and 2City Desk."
    assert "as provided by Harbor Times." in format_lines[3]
    assert format_lines[4].startswith("/template")
    assert "How to read a brief" not in text


@pytest.mark.parametrize("word", ["readers", "Reader"])
def test_help_readers_shows_an_admin_the_readers_help(renderer: Renderer, word: str) -> None:
    assert admin_help_reply(renderer, [word]) == help_reply(renderer)


def test_the_readers_help_names_id(renderer: Renderer) -> None:
    assert "/id — your numeric Telegram id" in text_of(help_reply(renderer))


def test_the_bots_own_descriptions_fit_telegrams_limits(renderer: Renderer) -> None:
    own = descriptions(renderer, None, None)
    assert "told four ways" in own.description
    assert "told four ways" in own.short
    assert len(own.description) <= DESCRIPTION_MAX
    assert len(own.short) <= SHORT_DESCRIPTION_MAX


def test_the_operators_descriptions_win(renderer: Renderer) -> None:
    chosen = descriptions(renderer, "Our newsroom's briefs.", "Briefs.")
    assert (chosen.description, chosen.short) == ("Our newsroom's briefs.", "Briefs.")
    only_short = descriptions(renderer, None, "Briefs.")
    assert only_short.description == descriptions(renderer, None, None).description
