"""A brief as a channel post: its summary, and buttons that open the rest in the bot.

A channel's readers cannot press callback buttons that answer in the channel, so every
button is a URL: Facts, Sources and Narratives are per-part deep links that open that
part privately in the bot (`/start b12-facts`), and Share opens Telegram's share sheet
(https://t.me/share/url) with the brief's own deep link. Share is a URL button rather than
`switch_inline_query`: that one works only while the bot's inline mode is on, and a URL
works in every client and channel.
"""

from __future__ import annotations

from urllib.parse import urlencode

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.reading import Reply
from bot.core.rendering import Renderer
from bot.telegram.keyboards import deep_link, part_links
from storage import StoredBrief

SHARE_URL = "https://t.me/share/url"


def share_link(bot_username: str, stored: StoredBrief) -> str:
    query = urlencode({"url": deep_link(bot_username, stored.id), "text": stored.brief.title})
    return f"{SHARE_URL}?{query}"


def channel_keyboard(
    renderer: Renderer, bot_username: str, stored: StoredBrief
) -> InlineKeyboardMarkup:
    parts = part_links(renderer, bot_username, stored.id)
    share = InlineKeyboardButton(
        renderer.render("channel_share_button.txt"), url=share_link(bot_username, stored)
    )
    return InlineKeyboardMarkup([parts, [share]])


def channel_post(renderer: Renderer, stored: StoredBrief, bot_username: str) -> Reply:
    """The post for the brief's current version; rendered once per version and bot."""
    return renderer.memo(
        ("channel", stored.id, stored.version, bot_username),
        lambda: Reply(
            renderer.messages("brief.html", stored=stored),
            channel_keyboard(renderer, bot_username, stored),
        ),
    )
