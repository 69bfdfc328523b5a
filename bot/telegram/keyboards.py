"""The core's buttons (bot/core/chat.py) as Telegram's inline keyboards, and back.

A press comes back as callback data that names what it does (`brief:12:facts`,
`archive:3`, `draft:7:publish`), so a button means the same after a restart, on any
replica, and stays far inside Telegram's 64-byte limit. A part opened from a chat where
the bot cannot answer a press is a deep link into a private chat with the bot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import time
from typing import Any
from urllib.parse import urlencode

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.chat import (
    PARTS,
    ArchivePage,
    Button,
    DraftChoice,
    DraftStep,
    Keyboard,
    LanguageChoice,
    Listen,
    OpenPart,
    Part,
    SettingsChoice,
    ShareBrief,
    ShareLink,
    ShowPart,
    brief_number,
)
from bot.core.reading import Refusal, unknown_brief
from bot.core.subscriptions.subscribing import SETTINGS_ZONES

_PART_NAMES: dict[str, Part] = {p: p for p in PARTS}
_BRIEF_DATA = re.compile(r"brief:(\d+):(summary|facts|sources|narratives)")
_ARCHIVE_DATA = re.compile(r"archive:(\d{1,9})")
_DRAFT_DATA = re.compile(r"draft:(\d{1,18}):(publish|discard)")
# What start_parameter() writes: `b12` opens brief 12, `b12-facts` its facts, and
# listen_parameter() `b12-listen` its voice note.
_START_PARAMETER = re.compile(r"b(\d+)(?:-(facts|sources|narratives|listen))?")
_LISTEN_DATA = re.compile(r"listen:(\d+)")
_SETTINGS_DATA = re.compile(
    r"sub:(?:(?P<switch>on|off)|time:(?P<hh>\d{2})(?P<mm>\d{2})|zone:(?P<zone>\d{1,2}))"
)
# `lang:es`, `lang:auto`: the code is checked against the catalogues when pressed.
_LANGUAGE_DATA = re.compile(r"lang:([a-z]{2,3}|auto)")
SHARE_URL = "https://t.me/share/url"
# Keyboards converted lately, by the identity of the core's keyboard: a brief's buttons are
# rendered once per version (bot/core/rendering.py's memo), so the same object comes back
# for every reader who opens it. Bounded, per process, rebuilt after a restart.
MARKUPS_KEPT = 256


def part_data(brief_id: int, part: Part) -> str:
    return f"brief:{brief_id}:{part}"


def parse_part_data(data: str | None) -> ShowPart | None:
    match = _BRIEF_DATA.fullmatch(data or "")
    brief_id = brief_number(match[1]) if match else None
    if match is None or brief_id is None:
        return None
    return ShowPart(brief_id, _PART_NAMES[match[2]])


def archive_data(page: int) -> str:
    return f"archive:{page}"


def parse_archive_data(data: str | None) -> int | None:
    """The archive page a Previous/Next button asks for (0 is the newest), or None."""
    match = _ARCHIVE_DATA.fullmatch(data or "")
    return int(match[1]) if match else None


def draft_data(draft_id: int, step: DraftStep) -> str:
    return f"draft:{draft_id}:{step}"


def parse_draft_data(data: str | None) -> DraftChoice | None:
    match = _DRAFT_DATA.fullmatch(data or "")
    if not match:
        return None
    step: DraftStep = "publish" if match[2] == "publish" else "discard"
    return DraftChoice(int(match[1]), step)


def settings_data(choice: SettingsChoice) -> str:
    """`sub:on`, `sub:time:0630`, `sub:zone:3`: at most 64 bytes, as Telegram allows."""
    if choice.step == "time" and choice.clock is not None:
        return f"sub:time:{choice.clock:%H%M}"
    if choice.step == "zone" and choice.zone_index is not None:
        return f"sub:zone:{choice.zone_index}"
    return f"sub:{choice.step}"


def parse_settings_data(data: str | None) -> SettingsChoice | None:
    """The change a button's data stands for, or None for data no /settings button carries.

    The button may be old (or forged), so its value is brought into range, not trusted.
    """
    match = _SETTINGS_DATA.fullmatch(data or "")
    if match is None:
        return None
    if match["switch"] == "on":
        return SettingsChoice("on")
    if match["switch"] == "off":
        return SettingsChoice("off")
    if match["hh"] is not None:
        clock = time(min(int(match["hh"]), 23), min(int(match["mm"]), 59))
        return SettingsChoice("time", clock=clock)
    return SettingsChoice("zone", zone_index=min(int(match["zone"]), len(SETTINGS_ZONES) - 1))


def language_data(choice: LanguageChoice) -> str:
    return f"lang:{choice.language or 'auto'}"


def parse_language_data(data: str | None) -> LanguageChoice | None:
    """The language a /language button chooses, or None for data no such button carries."""
    match = _LANGUAGE_DATA.fullmatch(data or "")
    if match is None:
        return None
    return LanguageChoice(None if match[1] == "auto" else match[1])


def listen_data(brief_id: int) -> str:
    return f"listen:{brief_id}"


def parse_listen_data(data: str | None) -> Listen | None:
    """The brief whose voice note a Listen button asks for, or None."""
    match = _LISTEN_DATA.fullmatch(data or "")
    brief_id = brief_number(match[1]) if match else None
    return Listen(brief_id) if brief_id is not None else None


def start_parameter(brief_id: int, part: Part = "summary") -> str:
    """What `/start` is given by a deep link to a part of a brief: `b12`, `b12-facts`."""
    return f"b{brief_id}" if part == "summary" else f"b{brief_id}-{part}"


def parse_start_parameter(text: str) -> OpenPart | Listen | Refusal | None:
    """What a deep link's `/start` parameter asks for (see start_parameter, and `b12-listen`
    for the voice note); a number no brief can have is refused as unknown; None for
    anything else (a plain `/start`)."""
    link = _START_PARAMETER.fullmatch(text)
    if link is None:
        return None
    brief_id = brief_number(link[1])
    if brief_id is None:
        return unknown_brief(link[1])
    if link[2] == "listen":
        return Listen(brief_id)
    return OpenPart(brief_id, _PART_NAMES[link[2] or "summary"])


def deep_link(bot_username: str, brief_id: int, part: Part = "summary") -> str:
    """The link that opens the part in a private chat with the bot, from anywhere."""
    return f"https://t.me/{bot_username}?start={start_parameter(brief_id, part)}"


def listen_link(bot_username: str, brief_id: int) -> str:
    """The link that sends the brief's voice note in a private chat with the bot."""
    return f"https://t.me/{bot_username}?start=b{brief_id}-listen"


def share_query(brief_id: int) -> str:
    """The inline query a Share button starts (`@bot #12`): the inline mode answers it with
    that one brief (bot/telegram/inline/answers.py)."""
    return f"#{brief_id}"


def share_link(bot_username: str, brief_id: int, title: str) -> str:
    """Telegram's own share page, with a deep link to the brief and its title."""
    query = urlencode({"url": deep_link(bot_username, brief_id), "text": title})
    return f"{SHARE_URL}?{query}"


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


class Keyboards:
    """Converts the core's keyboards for one bot. Its username, which deep links need, is
    asked for when a link is made: the Bot API tells it only once the bot has started."""

    def __init__(self, username: Callable[[], str]) -> None:
        self._username = username
        self._kept: dict[int, tuple[Keyboard, InlineKeyboardMarkup]] = {}

    def markup(self, keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
        if keyboard is None:
            return None
        kept = self._kept.get(id(keyboard))
        # The keyboard is kept beside its markup, so its id() is not reused meanwhile.
        if kept is not None and kept[0] is keyboard:
            return kept[1]
        rows = [[self.button(b) for b in row] for row in keyboard]
        converted = SentOftenKeyboard(rows)
        if len(self._kept) >= MARKUPS_KEPT:
            self._kept.clear()
        self._kept[id(keyboard)] = (keyboard, converted)
        return converted

    def button(self, button: Button) -> InlineKeyboardButton:
        label = button.label
        match button.action:
            case ShowPart(brief_id, part):
                return InlineKeyboardButton(label, callback_data=part_data(brief_id, part))
            case OpenPart(brief_id, part):
                return InlineKeyboardButton(label, url=deep_link(self._username(), brief_id, part))
            case ShareBrief(brief_id):
                return InlineKeyboardButton(label, switch_inline_query=share_query(brief_id))
            case ShareLink(brief_id, title):
                return InlineKeyboardButton(
                    label, url=share_link(self._username(), brief_id, title)
                )
            case ArchivePage(page):
                return InlineKeyboardButton(label, callback_data=archive_data(page))
            case DraftChoice(draft_id, step):
                return InlineKeyboardButton(label, callback_data=draft_data(draft_id, step))
            case SettingsChoice():
                return InlineKeyboardButton(label, callback_data=settings_data(button.action))
            case LanguageChoice():
                return InlineKeyboardButton(label, callback_data=language_data(button.action))
            case Listen(brief_id, linked=True):
                return InlineKeyboardButton(label, url=listen_link(self._username(), brief_id))
            case Listen(brief_id):
                return InlineKeyboardButton(label, callback_data=listen_data(brief_id))
