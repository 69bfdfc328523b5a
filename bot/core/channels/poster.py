"""Posting every published brief to each channel, exactly once, from one repeating job.

However a brief was published (from the chat app, or by `briefbot import` in another
process), the job finds it within a CHANNELS_TICK (bot/telegram/channel_jobs.py): it asks
storage for the live briefs each channel is owed and posts them through the delivery
record (bot/core/push/delivery.py), so a post is claimed before it is sent and recorded after,
and no tick, restart or second replica posts it twice. A publish from Telegram runs the
job at once (`post_now`, in bot/telegram/channel_jobs.py, which holds the job and its
start).

A channel is owed the briefs published after the bot first found it could post there
(storage.channels remembers when), and at most LOOKBACK old: adding a channel does not
flood it with the archive, and a bot back from a long outage posts only what is news.
A failed post is tried again at the next passes, MAX_ATTEMPTS in all, each failure told
to the admins. Channels the bot cannot post in yet are checked again at every pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta

from bot.config import ChannelRef
from bot.core.channels.checks import ChannelCheck, ChannelChecker
from bot.core.channels.posts import channel_post
from bot.core.chat import CopyAt, Messenger
from bot.core.languages import speaking
from bot.core.publishing.corrections import CHANNEL, refresh_copy
from bot.core.push.delivery import Delivery, LeaseLost
from bot.core.push.tally import Outcome
from bot.core.rendering import Renderer
from bot.core.reports import tell_admins
from bot.core.subscriptions.timing import utc_now
from storage import Storage, StoredBrief

log = logging.getLogger(__name__)
# How often the channels (and Matrix rooms) are posted to, whichever app runs the job.
CHANNELS_TICK = timedelta(seconds=30)
CHANNELS_JOB = "channel-posts"

LOOKBACK = timedelta(hours=48)
MAX_ATTEMPTS = 3


class ChannelPoster:
    """The channels and their posting. What it holds in memory (which channels passed the
    check) is found again at every start; with several replicas each posts, and the
    delivery record lets only one of them make each post."""

    def __init__(
        self,
        messenger: Messenger,
        checker: ChannelChecker,
        storage: Storage,
        renderer: Renderer,
        delivery: Delivery,
        *,
        channels: Sequence[ChannelRef],
        admin_ids: Collection[int],
        languages: Mapping[ChannelRef, str] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """`checker` asks the chat app whether the bot may post in a channel."""
        self._messenger = messenger
        self._checker = checker
        self._storage = storage
        self._renderer = renderer
        self._delivery = delivery
        self._admins = sorted(admin_ids)
        self._clock = clock
        self._ready: dict[int, datetime] = {}  # channel id: owed briefs published after this
        self._titles: dict[int, str] = {}
        self._unchecked: list[ChannelRef] = list(channels)
        # Each channel's language (CHANNEL_IDS=@briefs_es:es), stored as the channel's choice
        # once it is checked, so a correction of its posts is written in it too.
        self._languages = dict(languages or {})
        self._spoken: dict[int, str] = {}  # channel id: the language its posts are in
        self._lock = asyncio.Lock()  # one pass at a time: a post_now waits for a tick's pass

    async def check(self, *, tell_admins: bool) -> list[ChannelCheck]:
        """Check the channels not yet ready; the problems found, each logged, and told to
        every admin in one message when `tell_admins`."""
        checks = [await self._checker(ref) for ref in self._unchecked]
        for found in checks:
            if found.problem is None and found.chat_id is not None:
                since = await self._storage.channels.configure(found.chat_id, at=self._clock())
                language = self._languages.get(found.ref)
                await self._storage.languages.choose(found.chat_id, language, at=self._clock())
                self._spoken[found.chat_id] = self._renderer.locale_for(language, None).language
                self._ready[found.chat_id] = since
                self._titles[found.chat_id] = found.title or str(found.chat_id)
                log.info("channel %s (%s): posting briefs there", found.ref, found.chat_id)
        problems = [c for c in checks if c.problem is not None]
        self._unchecked = [c.ref for c in problems]
        # At start a warning each; the checks of later passes only at DEBUG, or the log
        # would repeat the same lines every CHANNELS_TICK until someone fixes the rights.
        level = logging.WARNING if tell_admins else logging.DEBUG
        for found in problems:
            assert found.problem is not None
            detail = f": {found.detail}" if found.detail else ""
            log.log(
                level,
                "channel %s: cannot post there (%s%s)",
                found.ref,
                found.problem.value,
                detail,
            )
        if problems and tell_admins:
            await self._tell_admins("admin_channel_problems.html", problems=problems)
        return problems

    async def post_due(self) -> None:
        """One pass: every channel gets the briefs it is owed."""
        async with self._lock:
            if self._unchecked:
                await self.check(tell_admins=False)
            oldest = self._clock() - LOOKBACK
            try:
                for chat_id, since in list(self._ready.items()):
                    await self._post_to(chat_id, max(since, oldest))
            except LeaseLost:
                # Not a failure to report: this replica gives back what it holds, and
                # this pass (or another replica's) posts it.
                log.info("channel posts wait until this replica holds its lease again")

    async def _post_to(self, chat_id: int, since: datetime) -> None:
        due = await self._storage.channels.due(chat_id, since=since, attempts=MAX_ATTEMPTS)
        for brief_id in due:
            claim = await self._delivery.claim(chat_id, [brief_id])
            if claim is None:  # another replica's pass took it
                continue
            stored = await self._storage.briefs.get(brief_id)
            if stored is None or stored.retracted_at is not None:
                await self._delivery.fail(claim, "withdrawn before it was posted")
                continue
            with speaking(self._spoken.get(chat_id, self._renderer.default.language)):
                post = channel_post(self._renderer, stored)
            _, outcome = await self._delivery.send(claim, post)
            if outcome is Outcome.SKIPPED:  # recorded posted meanwhile: nothing to report
                continue
            if outcome is not Outcome.SENT:
                await self._report_failure(chat_id, brief_id)
            else:
                await self._catch_up(chat_id, stored)

    async def _catch_up(self, chat_id: int, sent: StoredBrief) -> None:
        """A post waits for its turn (the channel's spacing, a 429 pause) after it was
        rendered: a correction or withdrawal made meanwhile found no post to edit yet, so
        the post is brought to the brief's state now."""
        latest = await self._storage.briefs.get(sent.id)
        if latest is None or (latest.version, latest.retracted_at) == (sent.version, None):
            return
        row = await self._storage.deliveries.get(sent.id, chat_id)
        if row is not None and row.message_ids:
            copy = CopyAt(chat_id=chat_id, message_id=row.message_ids[0])
            with speaking(self._spoken.get(chat_id, self._renderer.default.language)):
                await refresh_copy(self._messenger, self._renderer, latest, CHANNEL, copy)

    async def _report_failure(self, chat_id: int, brief_id: int) -> None:
        row = await self._storage.deliveries.get(brief_id, chat_id)
        attempts = row.attempts if row is not None else MAX_ATTEMPTS
        error = (row.last_error if row is not None else None) or "unknown error"
        log.warning(
            "channel %s: brief %s not posted (attempt %s of %s): %s",
            chat_id,
            brief_id,
            attempts,
            MAX_ATTEMPTS,
            error,
        )
        await self._tell_admins(
            "admin_channel_failed.html",
            brief_id=brief_id,
            channel=self._titles.get(chat_id, str(chat_id)),
            error=error,
            attempts=attempts,
            max_attempts=MAX_ATTEMPTS,
        )

    async def _tell_admins(self, template: str, **context: object) -> None:
        text = self._renderer.render(template, **context)
        await tell_admins(self._messenger, self._admins, text)
