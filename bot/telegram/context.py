"""The typed context every handler receives: services without globals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.config import Config
from bot.core.rendering import Renderer
from bot.core.reports import Reporter
from bot.core.services import Services
from bot.telegram.keyboards import Keyboards
from brief.isolated import UploadParser
from storage import Storage


class BotData:
    """PTB's bot_data: the services, set once by the composition root (bot/app.py) before
    the application initializes. PTB builds this object itself, empty, which is why the
    services are an attribute set after rather than an argument."""

    services: Services
    keyboards: Keyboards  # the core's buttons as this bot's inline keyboards


@dataclass(slots=True)
class ChatData:
    """What this process keeps about one chat between updates (PTB's chat_data, in memory,
    no persistence).

    Only what is safe to lose or to hold once per process: whether this process has set
    an admin's command menu (after a restart, or on another replica, it is set once more:
    the same menu, no harm). What an admin's chat is in the middle of is in the database,
    so any replica, or the bot after a restart, carries it on: a pending /correct
    (storage.corrections) and the parts of a paste received so far (storage.pastes).
    """

    admin_menu_set: bool = False


class BotContext(CallbackContext[ExtBot[int], dict[Any, Any], ChatData, BotData]):
    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def config(self) -> Config:
        return self.bot_data.services.config

    @property
    def renderer(self) -> Renderer:
        return self.bot_data.services.renderer

    @property
    def upload_parser(self) -> UploadParser:
        return self.bot_data.services.upload_parser

    @property
    def reporter(self) -> Reporter:
        return self.bot_data.services.reporter

    @property
    def keyboards(self) -> Keyboards:
        return self.bot_data.keyboards

    @property
    def storage(self) -> Storage:
        return self.bot_data.services.storage


BriefApplication: TypeAlias = Application[
    ExtBot[int], BotContext, dict[Any, Any], ChatData, BotData, JobQueue[BotContext]
]
