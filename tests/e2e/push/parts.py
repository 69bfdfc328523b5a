"""One replica's push parts, as bot/app.py composes them, for tests that run a replica's
heartbeat (bot/core/replicas/takeover.py's PushParts) without the rest of the bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.push.engine import PushEngine
from bot.core.rendering import Renderer
from bot.core.replicas.replica import Replica
from storage import Storage


@dataclass(frozen=True, slots=True)
class Parts:
    storage: Storage
    renderer: Renderer
    replica: Replica
    push: PushEngine
