"""A brief as a channel post: its summary, and buttons that open the rest in the bot.

A channel's readers cannot press buttons that the bot answers in the channel, so every
button opens something: Facts, Sources and Narratives open that part privately in the bot
(`OpenPart`), and Share shares a link to the brief (`ShareLink`) rather than starting the
bot's own sharing, which works only while the app lets the bot answer in other chats
(Telegram's inline mode); a link works in every client and channel.
"""

from __future__ import annotations

from bot.core.buttons import channel_keyboard
from bot.core.chat import Reply
from bot.core.rendering import Renderer
from storage import StoredBrief


def channel_post(renderer: Renderer, stored: StoredBrief) -> Reply:
    """The post for the brief's current version; rendered once per version."""
    return renderer.memo(
        ("channel", stored.id, stored.version),
        lambda: Reply(
            renderer.messages("brief.html", stored=stored),
            channel_keyboard(renderer, stored.id, stored.brief.title),
        ),
    )
