"""A brief as it is sent into other chats: its summary, with buttons that work anywhere.

A shared message sits in chats the bot may not be in, read by people who never opened the
bot. Its part buttons are deep links (https://t.me/<bot>?start=b12-facts), not callback
buttons: whoever presses one gets that part in their own private chat with the bot. An
edit in place would change the message for everyone in the group at once, and a long part
(facts, narratives) would not fit the one message anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.core.reading import render_part
from bot.core.rendering import Renderer
from bot.telegram.keyboards import SentOftenKeyboard, part_links, share_button
from storage import StoredBrief


@dataclass(frozen=True, slots=True)
class SharedMessage:
    text: str
    keyboard: InlineKeyboardMarkup


def shared_keyboard(renderer: Renderer, bot_username: str, brief_id: int) -> InlineKeyboardMarkup:
    """Links to the brief's other parts in a private chat with the bot, then Share."""
    links = part_links(renderer, bot_username, brief_id)
    return SentOftenKeyboard([links, [share_button(renderer, brief_id)]])


def shared_message(renderer: Renderer, bot_username: str, stored: StoredBrief) -> SharedMessage:
    """The brief's summary as one message, the same in every chat; rendered once per version.

    A summary too long for one message (rare: summaries are a paragraph or two) is shared
    as its first message, as a pushed copy is edited (bot/core/publishing/corrections.py); `/brief`
    shows the whole.
    """
    key = ("shared", stored.id, stored.version, bot_username)
    return renderer.memo(
        key,
        lambda: SharedMessage(
            render_part(renderer, stored, "summary").texts[0],
            shared_keyboard(renderer, bot_username, stored.id),
        ),
    )
