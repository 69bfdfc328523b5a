"""The bot explaining itself: /id (anyone's numeric id, what ADMIN_IDS takes), the admins'
own /help, and the descriptions a chat app shows before anyone writes to the bot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.chat import Reply
from bot.core.reading import help_reply
from bot.core.rendering import Renderer

# `/help readers` shows an admin the help readers get.
READERS = frozenset({"reader", "readers"})


def identity_reply(
    renderer: Renderer,
    *,
    chat_id: int,
    private: bool,
    user_id: int | None,
    sender_chat_id: int | None = None,
) -> Reply:
    """/id: the sender's user id, and in a group the chat's id too (for ERROR_CHAT_ID, say).

    A message sent on behalf of a chat (`sender_chat_id`: an anonymous group admin writes
    as the group, a member may write as their channel) names no user (`user_id` None):
    the ids that can be told are the chats'.
    """
    return Reply(
        [
            renderer.render(
                "id.html",
                chat_id=chat_id,
                private=private,
                user_id=user_id,
                sender_chat_id=sender_chat_id,
            )
        ]
    )


def admin_help_reply(
    renderer: Renderer,
    args: Sequence[str],
    *,
    identity_command: bool = True,
    recordings: bool = True,
) -> Reply:
    """An admin's /help: every admin command with an example and the brief format;
    `/help readers` the help readers get. An adapter without /id (`identity_command`) or
    without editors' recorded voice notes (`recordings`) has them left out."""
    if len(args) == 1 and args[0].lower() in READERS:
        return help_reply(renderer)
    text = renderer.render(
        "admin_help.html", identity_command=identity_command, recordings=recordings
    )
    return Reply([text])


@dataclass(frozen=True, slots=True)
class Descriptions:
    """What a chat app shows of the bot before anyone writes to it: `description` in an
    empty chat with it, `short` on its profile and beside a shared link to it."""

    description: str
    short: str


def descriptions(renderer: Renderer, description: str | None, short: str | None) -> Descriptions:
    """The operator's wording (BOT_DESCRIPTION, BOT_SHORT_DESCRIPTION) where given, else the
    bot's own (templates/)."""
    return Descriptions(
        description or renderer.render("bot_description.txt"),
        short or renderer.render("bot_short_description.txt"),
    )
