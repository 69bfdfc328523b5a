"""The repeating job that runs the channel poster (bot/core/channels/poster.py), its start,
and the run at once after a publish from Telegram.

Kept apart from the poster: the poster needs a messenger, storage and the delivery record,
not the application's job queue and context types.
"""

from __future__ import annotations

from datetime import timedelta

from bot.telegram.context import BotContext, BriefApplication
from bot.telegram.replies import job_queue

CHANNELS_TICK = timedelta(seconds=30)
CHANNELS_JOB = "channel-posts"


async def post_channels(context: BotContext) -> None:
    await context.services.channels.post_due()


def post_now(context: BotContext) -> None:
    """After a publish from Telegram: post now rather than at the next tick."""
    if context.config.channel_ids:
        job_queue(context).run_once(post_channels, 0, name=f"{CHANNELS_JOB}-now")


async def start_channels(application: BriefApplication) -> None:
    """With CHANNEL_IDS, once the push's delivery path runs: check the channels (admins
    are told what is wrong), then post every CHANNELS_TICK."""
    services = application.bot_data.services
    if not services.config.channel_ids:
        return
    await services.channels.check(tell_admins=True)
    assert application.job_queue is not None, "built with a JobQueue"
    # The first pass a second after start: what was published while the bot was down.
    application.job_queue.run_repeating(post_channels, CHANNELS_TICK, first=1, name=CHANNELS_JOB)
