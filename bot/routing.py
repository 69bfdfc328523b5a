"""Two chat apps behind one core: each chat id goes to the app that owns it.

The core names chats by integer ids; Matrix's rooms have ids of their own range
(bot/matrix/ids.py), every other id is Telegram's. The composition root (bot/app.py)
builds one of each router when Matrix is configured, and the core never learns there
are two apps.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from telegram import Bot

from bot.config import ChannelRef, Config
from bot.core.budget.pacing import Turns
from bot.core.channels.checks import ChannelCheck, ChannelChecker
from bot.core.channels.poster import ChannelPoster
from bot.core.chat import CopyAt, Edit, Keyboard, Messenger, Reply, SentVoice, VoiceNote
from bot.core.push.engine import PushEngine
from bot.core.push.sending import PushSender
from bot.core.rendering import Renderer
from bot.matrix.adapter import MatrixSide
from bot.matrix.channels import check_room, is_room_ref
from bot.matrix.ids import is_matrix
from bot.telegram.channel_check import check_channel
from storage import Storage

Owns = Callable[[int | None], bool]
# The apps' own names, as the admins' reports count each one's copies (never translated).
APP_NAMES = ("Telegram", "Matrix")


class RoutedTurns:
    """Each app's own budget: a wait one app asks for pauses only its sends."""

    def __init__(self, default: Turns, other: Turns, owns: Owns) -> None:
        self._default, self._other, self._owns = default, other, owns

    def _for(self, chat_id: int | None) -> Turns:
        return self._other if self._owns(chat_id) else self._default

    async def acquire(self, chat_id: int | None, *, urgent: bool = False) -> None:
        await self._for(chat_id).acquire(chat_id, urgent=urgent)

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        self._for(chat_id).pause(seconds, chat_id)


class RoutedMessenger:
    """`names`: the two apps' names, as the admin's report counts their copies apart."""

    def __init__(
        self, default: Messenger, other: Messenger, owns: Owns, names: tuple[str, str]
    ) -> None:
        self._default, self._other, self._owns = default, other, owns
        self._names = names

    def app_of(self, chat_id: int | None) -> str | None:
        return self._names[1] if self._owns(chat_id) else self._names[0]

    def _for(self, chat_id: int | None) -> Messenger:
        return self._other if self._owns(chat_id) else self._default

    async def send(self, chat_id: int, reply: Reply) -> list[int] | None:
        return await self._for(chat_id).send(chat_id, reply)

    async def notify(self, chat_id: int, text: str) -> None:
        await self._for(chat_id).notify(chat_id, text)

    async def edit(self, at: CopyAt, text: str, keyboard: Keyboard | None) -> Edit:
        return await self._for(at.chat_id).edit(at, text, keyboard)

    async def send_voice(self, chat_id: int, note: VoiceNote) -> SentVoice | None:
        return await self._for(chat_id).send_voice(chat_id, note)

    async def edit_caption(self, at: CopyAt, caption: str, keyboard: Keyboard | None) -> Edit:
        return await self._for(at.chat_id).edit_caption(at, caption, keyboard)

    async def delete(self, at: CopyAt) -> bool:
        return await self._for(at.chat_id).delete(at)


def routed_messenger(telegram: Messenger, matrix: MatrixSide) -> RoutedMessenger:
    """Telegram's messenger, a Matrix room's chat ids through the Matrix side."""
    return RoutedMessenger(telegram, matrix.messenger, is_matrix, APP_NAMES)


class RoutedPushSender:
    def __init__(self, default: PushSender, other: PushSender, owns: Owns) -> None:
        self._default, self._other, self._owns = default, other, owns

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        sender = self._other if self._owns(chat_id) else self._default
        return await sender.send(chat_id, text, keyboard)

    async def close(self) -> None:
        await self._default.close()
        await self._other.close()


def route_push(matrix: MatrixSide, sender: PushSender, turns: Turns) -> tuple[PushSender, Turns]:
    """The push's sends to Matrix rooms go through the Matrix side, in its budget."""
    return (
        RoutedPushSender(sender, matrix.push_sender, is_matrix),
        RoutedTurns(turns, matrix.pacer, is_matrix),
    )


class RoutedChannelChecker:
    """Each channel checked by the app it belongs to (CHANNEL_IDS are Telegram's,
    MATRIX_ROOM_IDS Matrix's): one poster posts to both."""

    def __init__(
        self, default: ChannelChecker, other: ChannelChecker, owns: Callable[[ChannelRef], bool]
    ) -> None:
        self._default, self._other, self._owns = default, other, owns

    async def __call__(self, ref: ChannelRef) -> ChannelCheck:
        checker = self._other if self._owns(ref) else self._default
        return await checker(ref)


def channel_poster(
    config: Config,
    storage: Storage,
    renderer: Renderer,
    bot: Bot,
    messenger: Messenger,
    push: PushEngine,
    matrix: MatrixSide | None,
) -> ChannelPoster:
    """One poster for CHANNEL_IDS' channels and then MATRIX_ROOM_IDS' rooms, each checked
    by its own app, each post sent through the (routed) delivery record and messenger."""
    channel_ids: tuple[ChannelRef, ...] = config.channel_ids
    checker: ChannelChecker = functools.partial(check_channel, bot)
    if matrix is not None and matrix.settings.room_ids:
        channel_ids = (*channel_ids, *matrix.settings.room_ids)
        rooms = functools.partial(check_room, matrix.client, storage)
        checker = RoutedChannelChecker(checker, rooms, is_room_ref)
    return ChannelPoster(
        messenger,
        checker,
        storage,
        renderer,
        push.delivery,
        channels=channel_ids,
        admin_ids=config.admin_ids,
        languages=config.channel_languages,
    )
