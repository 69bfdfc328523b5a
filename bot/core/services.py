"""What handlers and jobs reach: every service, built whole by the composition root
(bot/app.py) before the bot takes its first update."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.core.audio.making import AudioMaker
from bot.core.budget.pacing import Pacer
from bot.core.channels.poster import ChannelPoster
from bot.core.chat import Messenger
from bot.core.metrics import Metrics
from bot.core.push.engine import PushEngine
from bot.core.readiness import Readiness
from bot.core.rendering import Renderer
from bot.core.replicas.replica import Replica
from bot.core.reports import Reporter
from brief.isolated import UploadParser
from storage import Storage


@dataclass(frozen=True, slots=True)
class Services:
    """One per process, for its life. None is optional: a service a setting leaves unused
    (the channel poster without CHANNEL_IDS) is built anyway and has nothing to do."""

    config: Config
    renderer: Renderer
    storage: Storage
    upload_parser: UploadParser
    messenger: Messenger  # how the core sends, notifies and edits in the chat app
    reporter: Reporter  # failures told to admins, off the update's path
    budget: Pacer  # what replies and the push may send, shared
    metrics: Metrics  # what /metrics shows, in the application's registry
    readiness: Readiness  # what /readyz and the heartbeat read
    replica: Replica  # this process among the replicas
    push: PushEngine  # the delivery engine
    channels: ChannelPoster  # the channels of CHANNEL_IDS, none without it
    audio: AudioMaker  # makes the voice notes, in the background (idle with AUDIO=off)
