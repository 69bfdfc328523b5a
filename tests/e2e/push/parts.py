"""One replica's push parts, as bot/app.py composes them, for tests that run a replica's
heartbeat (bot/core/replicas/takeover.py's PushParts) without the rest of the bot."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Bot

from bot.core.chat import Messenger
from bot.core.push.engine import PushEngine
from bot.core.rendering import Renderer
from bot.core.replicas.replica import Replica
from bot.telegram.keyboards import Keyboards
from bot.telegram.messenger import TelegramMessenger
from storage import Storage


def unstarted_messenger() -> Messenger:
    """Over a bot never started: what a take-over would tell an admin goes nowhere."""
    return TelegramMessenger(Bot("0:unused"), Keyboards(lambda: "unused"))


@dataclass(frozen=True, slots=True)
class Parts:
    storage: Storage
    renderer: Renderer
    replica: Replica
    push: PushEngine
    messenger: Messenger = field(default_factory=unstarted_messenger)
