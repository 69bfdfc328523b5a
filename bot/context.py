"""The typed context every handler receives: services without globals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.config import Config
from bot.rendering import Renderer
from storage import Storage

if TYPE_CHECKING:
    from bot.push.engine import PushEngine
    from bot.push.pacing import Pacer


class BotData:
    """Application-wide services: set by the composition root, storage opened in post_init."""

    def __init__(self) -> None:
        self.config: Config | None = None
        self.renderer: Renderer | None = None
        self.storage: Storage | None = None
        self.push: PushEngine | None = None  # the delivery engine, started with storage
        self.budget: Pacer | None = None  # what replies and the push may send, shared


class BotContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    @property
    def config(self) -> Config:
        assert self.bot_data.config is not None, "the composition root sets the config"
        return self.bot_data.config

    @property
    def renderer(self) -> Renderer:
        assert self.bot_data.renderer is not None, "the composition root sets the renderer"
        return self.bot_data.renderer

    @property
    def storage(self) -> Storage:
        assert self.bot_data.storage is not None, "storage is opened in post_init"
        return self.bot_data.storage


BriefApplication: TypeAlias = Application[
    ExtBot[int], BotContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[BotContext]
]
