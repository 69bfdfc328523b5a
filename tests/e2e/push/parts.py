"""One replica's push parts, as bot/app.py composes them, for tests that run a replica's
heartbeat (bot/push/takeover.py's PushParts) without the rest of the bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.push.engine import PushEngine
from bot.rendering import Renderer
from bot.replicas import Replica
from storage import Storage


@dataclass(frozen=True, slots=True)
class Parts:
    storage: Storage
    renderer: Renderer
    replica: Replica
    push: PushEngine
