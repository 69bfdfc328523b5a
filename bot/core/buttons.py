"""Which buttons go under what the bot shows, in the core's words (bot/core/chat.py): each
chat app's adapter encodes them its own way (Telegram's: bot/telegram/keyboards.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.chat import (
    PARTS,
    Button,
    Keyboard,
    Listen,
    OpenPart,
    Part,
    ShareBrief,
    ShareLink,
    ShowPart,
)
from bot.core.rendering import Renderer
from storage import BriefHeader

DIGEST_TITLE_CHARS = 60


def brief_keyboard(renderer: Renderer, brief_id: int, shown: Part) -> Keyboard:
    """Buttons for the parts of the brief other than the one just shown, then Listen and
    Share."""
    row = tuple(Button(renderer.label(p), ShowPart(brief_id, p)) for p in PARTS if p != shown)
    return (row, (listen_button(renderer, brief_id), share_button(renderer, brief_id)))


def listen_button(renderer: Renderer, brief_id: int, *, linked: bool = False) -> Button:
    """Sends the brief's voice note; `linked`: in a private chat with the bot (from a
    channel, where a press cannot be answered with a message to the one who pressed)."""
    return Button(renderer.label("listen"), Listen(brief_id, linked=linked))


def share_button(renderer: Renderer, brief_id: int) -> Button:
    return Button(renderer.label("share"), ShareBrief(brief_id))


def part_links(renderer: Renderer, brief_id: int) -> tuple[Button, ...]:
    """Facts, Sources, Narratives, each opening the part in a private chat with the bot:
    for a copy in a chat where the bot may not answer a press (a channel, a group it is
    not in)."""
    return tuple(Button(renderer.label(p), OpenPart(brief_id, p)) for p in PARTS if p != "summary")


def shared_keyboard(renderer: Renderer, brief_id: int) -> Keyboard:
    """Under a brief shared into another chat: its parts as links, then Share."""
    return (part_links(renderer, brief_id), (share_button(renderer, brief_id),))


def channel_keyboard(renderer: Renderer, brief_id: int, title: str) -> Keyboard:
    """Under a channel post: its parts as links, then a link that shares it (a channel's
    readers may have no chat with the bot, where sharing through the bot would start)."""
    share = Button(renderer.render("channel_share_button.txt"), ShareLink(brief_id, title))
    return (part_links(renderer, brief_id), (listen_button(renderer, brief_id, linked=True), share))


def digest_keyboard(
    headers: Sequence[BriefHeader],
    navigation: Sequence[Button] = (),
    *,
    listen: Renderer | None = None,
) -> Keyboard:
    """A button per brief (a daily digest, an archive page, search results), each opening
    that brief's summary, and (`listen`: the renderer of its label) a Listen button beside
    it; then the navigation row, if any."""
    rows = tuple(
        (
            Button(_short(h.title), ShowPart(h.id, "summary")),
            *((listen_button(listen, h.id),) if listen is not None else ()),
        )
        for h in headers
    )
    return (*rows, tuple(navigation)) if navigation else rows


def _short(title: str) -> str:
    if len(title) <= DIGEST_TITLE_CHARS:
        return title
    return f"{title[: DIGEST_TITLE_CHARS - 1]}…"
