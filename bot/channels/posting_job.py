"""The repeating job that runs the channel poster (bot/channels/poster.py), its start,
and the run at once after a publish from Telegram.

Kept apart from the poster: the poster needs a bot, storage and the delivery record, not
the application's context types, so bot/context.py can name it without importing back.
"""

from __future__ import annotations

from datetime import timedelta

from bot.channels.poster import ChannelPoster
from bot.context import BotContext, BriefApplication
from bot.handlers.support import job_queue

TICK = timedelta(seconds=30)
JOB_NAME = "channel-posts"


async def post_channels(context: BotContext) -> None:
    poster = context.bot_data.channels
    if poster is not None:
        await poster.post_due()


def post_now(context: BotContext) -> None:
    """After a publish from Telegram: post now rather than at the next tick."""
    if context.bot_data.channels is not None:
        job_queue(context).run_once(post_channels, 0, name=f"{JOB_NAME}-now")


async def open_channels(application: BriefApplication) -> None:
    """Called once storage and the push engine are open: check, then post every TICK."""
    data = application.bot_data
    assert data.config is not None
    if not data.config.channel_ids:
        return
    assert data.storage is not None
    assert data.renderer is not None
    assert data.push is not None, "open_push builds the delivery path first"
    poster = ChannelPoster(
        application.bot,
        data.storage,
        data.renderer,
        data.push.delivery,
        channels=data.config.channel_ids,
        admin_ids=data.config.admin_ids,
    )
    await poster.check(tell_admins=True)
    data.channels = poster
    assert application.job_queue is not None, "built with a JobQueue"
    # The first pass a second after start: what was published while the bot was down.
    application.job_queue.run_repeating(post_channels, TICK, first=1, name=JOB_NAME)
