"""Inline keyboards and their callback data.

Callback data names the brief and the part (`brief:12:facts`), so a button means the
same after a restart and stays far inside Telegram's 64-byte limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, get_args

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.rendering import Renderer
from storage import BriefHeader

Part: TypeAlias = Literal["summary", "facts", "sources", "narratives"]
PARTS: tuple[Part, ...] = get_args(Part)
_PART_NAMES: dict[str, Part] = {p: p for p in PARTS}
_BRIEF_DATA = re.compile(r"brief:(\d+):(summary|facts|sources|narratives)")
# SQLite's largest integer: a larger number names no brief and must not reach a query.
MAX_BRIEF_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class PartRequest:
    brief_id: int
    part: Part


def part_data(brief_id: int, part: Part) -> str:
    return f"brief:{brief_id}:{part}"


def start_parameter(brief_id: int, part: Part = "summary") -> str:
    """What `/start` is given by a deep link to a part of a brief: `b12`, `b12-facts`."""
    return f"b{brief_id}" if part == "summary" else f"b{brief_id}-{part}"


def deep_link(bot_username: str, brief_id: int, part: Part = "summary") -> str:
    """The link that opens the part in a private chat with the bot, from anywhere."""
    return f"https://t.me/{bot_username}?start={start_parameter(brief_id, part)}"


def brief_number(text: str) -> int | None:
    """A brief id as written by a reader (`12`, `#12`) or in callback data; else None."""
    digits = text.removeprefix("#")
    # The length first: int() refuses thousands of digits with an exception of its own.
    if len(digits) > len(str(MAX_BRIEF_ID)):
        return None
    if digits.isascii() and digits.isdigit() and 0 < int(digits) <= MAX_BRIEF_ID:
        return int(digits)
    return None


def parse_part_data(data: str | None) -> PartRequest | None:
    match = _BRIEF_DATA.fullmatch(data or "")
    brief_id = brief_number(match[1]) if match else None
    if match is None or brief_id is None:
        return None
    return PartRequest(brief_id, _PART_NAMES[match[2]])


class SentOftenKeyboard(InlineKeyboardMarkup):
    """An inline keyboard that keeps its JSON form.

    PTB turns a keyboard into a dict for every request it goes with, through its generic
    walk over attributes: for a brief's buttons, sent under every copy of a part, that was
    a fifth of the bot's CPU per reply (bench.facts). PTB objects are immutable, so the
    form is taken once.
    """

    __slots__ = ("_sent_form",)

    def __init__(self, inline_keyboard: Sequence[Sequence[InlineKeyboardButton]]) -> None:
        super().__init__(inline_keyboard)
        self._sent_form = json.dumps(super().to_dict())  # PTB lets "_" names be set

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if not recursive:
            return super().to_dict(recursive=False)
        form: dict[str, Any] = json.loads(self._sent_form)  # a fresh dict: the caller may change it
        return form


def share_query(brief_id: int) -> str:
    """The inline query a Share button starts (`@bot #12`): the inline mode answers it with
    that one brief (bot/telegram/inline/answers.py)."""
    return f"#{brief_id}"


def share_button(renderer: Renderer, brief_id: int) -> InlineKeyboardButton:
    """Opens the chat picker, then inline mode there with this brief ready to send."""
    return InlineKeyboardButton(renderer.label("share"), switch_inline_query=share_query(brief_id))


def part_links(renderer: Renderer, bot_username: str, brief_id: int) -> list[InlineKeyboardButton]:
    """Facts, Sources, Narratives as deep links: for a copy in a chat where the bot may not
    answer a press (a channel, a group it is not in), each opens the part privately."""
    return [
        InlineKeyboardButton(renderer.label(p), url=deep_link(bot_username, brief_id, p))
        for p in PARTS
        if p != "summary"
    ]


def brief_keyboard(renderer: Renderer, brief_id: int, shown: Part) -> InlineKeyboardMarkup:
    """Buttons for the parts of the brief other than the one just shown, then Share."""
    row = [
        InlineKeyboardButton(renderer.label(p), callback_data=part_data(brief_id, p))
        for p in PARTS
        if p != shown
    ]
    return SentOftenKeyboard([row, [share_button(renderer, brief_id)]])


DIGEST_TITLE_CHARS = 60


def digest_keyboard(
    headers: Sequence[BriefHeader], navigation: Sequence[InlineKeyboardButton] = ()
) -> InlineKeyboardMarkup:
    """A button per brief (a daily digest, an archive page, search results), each opening
    that brief's summary; then the navigation row, if any."""
    rows = [
        [InlineKeyboardButton(_short(h.title), callback_data=part_data(h.id, "summary"))]
        for h in headers
    ]
    return InlineKeyboardMarkup([*rows, list(navigation)] if navigation else rows)


_ARCHIVE_DATA = re.compile(r"archive:(\d{1,9})")


def archive_data(page: int) -> str:
    return f"archive:{page}"


def parse_archive_data(data: str | None) -> int | None:
    """The archive page a Previous/Next button asks for (0 is the newest), or None."""
    match = _ARCHIVE_DATA.fullmatch(data or "")
    return int(match[1]) if match else None


def _short(title: str) -> str:
    if len(title) <= DIGEST_TITLE_CHARS:
        return title
    return f"{title[: DIGEST_TITLE_CHARS - 1]}…"
