"""The repeating job that runs the channel poster (bot/core/channels/poster.py), its start,
and the run at once after a publish from Telegram.

Kept apart from the poster: the poster needs a messenger, storage and the delivery record,
not the application's job queue and context types.
"""

from __future__ import annotations

from bot.config import Config
from bot.core.channels.poster import CHANNELS_JOB, CHANNELS_TICK
from bot.telegram.context import BotContext, BriefApplication
from bot.telegram.replies import job_queue


async def post_channels(context: BotContext) -> None:
    await context.services.channels.post_due()


def post_now(context: BotContext) -> None:
    """After a publish from Telegram: post now rather than at the next tick."""
    if posts_anywhere(context.config):
        job_queue(context).run_once(post_channels, 0, name=f"{CHANNELS_JOB}-now")


def posts_anywhere(config: Config) -> bool:
    """Whether published briefs are posted anywhere: CHANNEL_IDS, or MATRIX_ROOM_IDS (the
    same poster posts in both apps)."""
    return bool(config.channel_ids) or bool(config.matrix is not None and config.matrix.room_ids)


async def start_channels(application: BriefApplication) -> None:
    """With CHANNEL_IDS or MATRIX_ROOM_IDS, once the push's delivery path runs: check the
    channels and rooms (admins are told what is wrong), then post every CHANNELS_TICK."""
    services = application.bot_data.services
    if not posts_anywhere(services.config):
        return
    await services.channels.check(tell_admins=True)
    assert application.job_queue is not None, "built with a JobQueue"
    # The first pass a second after start: what was published while the bot was down.
    application.job_queue.run_repeating(post_channels, CHANNELS_TICK, first=1, name=CHANNELS_JOB)
