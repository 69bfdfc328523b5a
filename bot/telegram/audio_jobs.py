"""The voice notes' making loop, started once the Bot API has answered and stopped before
storage closes: the voices found (a language without one said once in the log), the briefs
published without a voice note wanted, then the loop (bot/core/audio/making.py)."""

from __future__ import annotations

import logging

from bot.core.audio.synthesis import Synthesizer
from bot.core.audio.voices import find_voices
from bot.core.audio.yielding import ReadersFirst
from bot.core.services import Services
from bot.telegram.context import BriefApplication
from brief import TEXT_LANGUAGES

log = logging.getLogger(__name__)


async def start_audio(application: BriefApplication) -> None:
    """AUDIO=off: nothing at all (editors' own recordings are still served)."""
    services = application.bot_data.services
    settings = services.config.audio
    voices = await find_voices(settings, TEXT_LANGUAGES)
    if not settings.enabled:
        return
    await services.audio.backfill()
    # With no voice at all the loop still runs: it marks each job "none", so /listen
    # says there is no recording instead of one being made.
    readers = ReadersFirst(services.metrics.updates, settings.yield_rate)
    services.audio.start(Synthesizer(voices, niceness=settings.niceness, readers=readers))


async def stop_audio(services: Services) -> None:
    await services.audio.stop()
