"""The typed context every handler receives: services without globals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.channels.poster import ChannelPoster
from bot.config import Config
from bot.metrics import Metrics
from bot.push.engine import PushEngine
from bot.push.pacing import Pacer
from bot.rendering import Renderer
from bot.replicas import Replica
from bot.reports import Reporter
from bot.web.readiness import Readiness
from bot.web.webhook import WebhookReceiver
from brief.isolated import UploadParser
from storage import Storage


class BotData:
    """Application-wide services: set by the composition root, storage opened in post_init."""

    def __init__(self) -> None:
        self.config: Config | None = None
        self.renderer: Renderer | None = None
        self.storage: Storage | None = None
        self.push: PushEngine | None = None  # the delivery engine, started with storage
        self.replica: Replica | None = None  # this process among the replicas, with storage
        self.upload_parser: UploadParser | None = None
        self.budget: Pacer | None = None  # what replies and the push may send, shared
        self.metrics: Metrics | None = None  # what /metrics shows, in the application's registry
        self.readiness: Readiness | None = None  # what /readyz and the heartbeat read
        self.webhook: WebhookReceiver | None = None  # in webhook mode (WEBHOOK_URL) only
        self.channels: ChannelPoster | None = None  # with CHANNEL_IDS set only
        self.reporter: Reporter | None = None  # failures told to admins, off the update's path


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
    def config(self) -> Config:
        assert self.bot_data.config is not None, "the composition root sets the config"
        return self.bot_data.config

    @property
    def renderer(self) -> Renderer:
        assert self.bot_data.renderer is not None, "the composition root sets the renderer"
        return self.bot_data.renderer

    @property
    def upload_parser(self) -> UploadParser:
        assert self.bot_data.upload_parser is not None, "the composition root sets the parser"
        return self.bot_data.upload_parser

    @property
    def reporter(self) -> Reporter:
        assert self.bot_data.reporter is not None, "the composition root sets the reporter"
        return self.bot_data.reporter

    @property
    def storage(self) -> Storage:
        assert self.bot_data.storage is not None, "storage is opened in post_init"
        return self.bot_data.storage


BriefApplication: TypeAlias = Application[
    ExtBot[int], BotContext, dict[Any, Any], ChatData, BotData, JobQueue[BotContext]
]
