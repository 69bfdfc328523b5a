"""Two chat apps behind one core: each chat id goes to the app that owns it.

The core names chats by integer ids; Matrix's rooms have ids of their own range
(bot/matrix/ids.py), every other id is Telegram's. The composition root (bot/app.py)
builds one of each router when Matrix is configured, and the core never learns there
are two apps.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.budget.pacing import Turns
from bot.core.chat import CopyAt, Edit, Keyboard, Messenger, Reply, SentVoice, VoiceNote
from bot.core.push.sending import PushSender

Owns = Callable[[int | None], bool]


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
    def __init__(self, default: Messenger, other: Messenger, owns: Owns) -> None:
        self._default, self._other, self._owns = default, other, owns

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


class RoutedPushSender:
    def __init__(self, default: PushSender, other: PushSender, owns: Owns) -> None:
        self._default, self._other, self._owns = default, other, owns

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        sender = self._other if self._owns(chat_id) else self._default
        return await sender.send(chat_id, text, keyboard)

    async def close(self) -> None:
        await self._default.close()
        await self._other.close()
