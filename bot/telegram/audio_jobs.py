"""The voice notes' making loop, started once the Bot API has answered and stopped before
storage closes (its work in bot/core/audio/starting.py)."""

from __future__ import annotations

from bot.core.audio.starting import start_making, stop_making
from bot.core.services import Services
from bot.telegram.context import BriefApplication


async def start_audio(application: BriefApplication) -> None:
    """AUDIO=off: nothing at all (editors' own recordings are still served)."""
    await start_making(application.bot_data.services)


async def stop_audio(services: Services) -> None:
    await stop_making(services)
