"""The voice notes' making loop started and stopped, whichever chat app serves: the voices
found (a language without one said once in the log), the briefs published without a voice
note wanted, then the loop (bot/core/audio/making.py)."""

from __future__ import annotations

from bot.core.audio.synthesis import Synthesizer
from bot.core.audio.voices import find_voices
from bot.core.audio.yielding import ReadersFirst
from bot.core.services import Services
from brief import TEXT_LANGUAGES


async def start_making(services: Services) -> None:
    """AUDIO=off: nothing at all (editors' own recordings are still served)."""
    settings = services.config.audio
    voices = await find_voices(settings, TEXT_LANGUAGES)
    if not settings.enabled:
        return
    await services.audio.backfill()
    # With no voice at all the loop still runs: it marks each job "none", so /listen
    # says there is no recording instead of one being made.
    readers = ReadersFirst(services.metrics.updates, settings.yield_rate)
    services.audio.start(Synthesizer(voices, niceness=settings.niceness, readers=readers))


async def stop_making(services: Services) -> None:
    await services.audio.stop()
