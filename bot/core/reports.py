"""Reports of failed updates, and apologies to readers, sent where no update waits for them.

An update that fails is logged at once, with its traceback, on its own path; everything it
would send about the failure is handed to the Reporter, which returns without waiting, and
goes out from a few background senders as the recipients' chats take them (Telegram takes
about one message a second in a chat). So a flood of failing updates, one account's or a
broken dependency's, holds up nobody: not the update, and not the readers behind it.

Failures are grouped by cause (the exception's type and the line that raised it): the
first of a cause is reported at once, those that follow within REPORT_WINDOW are counted,
and the count goes out in one message when the window ends, which opens the next; a cause
quiet for a whole window is forgotten. Apologies go at most once a window to a chat, and
to a user, wherever their updates failed.

Kept in memory, per process. The queue is bounded (QUEUE_SIZE): past it a notice is
dropped with a log line, since the log already holds every failure. On a stop or restart
what is still queued or counted is dropped, and the counts are logged; after a restart a
cause is reported afresh. With several replicas each keeps its own windows, so a cause
failing on all of them is reported once per window by each.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.core.chat import Messenger
from bot.core.rendering import Renderer

log = logging.getLogger(__name__)

REPORT_WINDOW = 300.0  # seconds: at most one report per cause this often
QUEUE_SIZE = 200
# Senders working at once: an apology waiting for its chat's turn does not hold up a report.
SENDERS = 4
PRUNE_AT = 1000  # apologies remembered before the ones older than a window are let go


@dataclass(frozen=True, slots=True)
class Cause:
    """What makes two failures the same: the exception's type and where it was raised."""

    kind: str
    where: str


def cause_of(error: BaseException) -> Cause:
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = "" if frame is None else f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}"
    return Cause(f"{type(error).__module__}.{type(error).__qualname__}", where)


@dataclass(frozen=True, slots=True)
class Notice:
    chat_id: int
    text: str
    apology: bool = False


@dataclass(slots=True)
class _Tally:
    summary: str  # the first failure's text: what the reports quote
    folded: int = 0  # failures since the last report, not reported on their own
    timer: asyncio.TimerHandle | None = None


class Reporter:
    def __init__(
        self,
        messenger: Messenger,
        renderer: Renderer,
        recipients: Sequence[int],
        *,
        window: float = REPORT_WINDOW,
        capacity: int = QUEUE_SIZE,
    ) -> None:
        """`recipients`: ERROR_CHAT_ID, else every admin."""
        self._messenger = messenger
        self._renderer = renderer
        self._recipients = tuple(recipients)
        self.window = window
        self._queue: asyncio.Queue[Notice] = asyncio.Queue(capacity)
        self._tallies: dict[Cause, _Tally] = {}
        # When each chat, and each user, was last apologised to (monotonic seconds): at
        # most one apology per chat and per user in a window. Kept per user too, so that
        # one account failing in many groups is apologised to once, not in every group,
        # where the apologies would fill the queue before another reader's. Pruned of what
        # is older than a window, so it holds at most a window's apologies.
        self._apologised: dict[tuple[str, int], float] = {}
        self._senders: list[asyncio.Task[None]] = []
        self._dropped = 0  # since the queue last had room

    def failed(self, cause: Cause, summary: str) -> None:
        """An update failed: reported now if its cause is new, else counted."""
        tally = self._tallies.get(cause)
        if tally is not None:
            tally.folded += 1
            return
        tally = self._tallies[cause] = _Tally(summary)
        self._report(tally)
        self._open_window(cause, tally)

    def apologise(self, chat_id: int, user_id: int | None = None) -> None:
        """The reader is told something went wrong: once a window however many of theirs
        failed, in that chat or any other."""
        now = time.monotonic()
        keys = [("chat", chat_id)] + ([("user", user_id)] if user_id is not None else [])
        if any(now - self._apologised.get(key, -math.inf) < self.window for key in keys):
            return
        text = self._renderer.render("error.html")
        if self._offer(Notice(chat_id, text, apology=True)):
            self._prune_apologies(now)
            self._apologised.update(dict.fromkeys(keys, now))

    def _prune_apologies(self, now: float) -> None:
        if len(self._apologised) >= PRUNE_AT:
            old = [key for key, at in self._apologised.items() if now - at >= self.window]
            for key in old:
                del self._apologised[key]

    async def close(self) -> None:
        """Stops the senders; what is queued or counted is dropped, the counts logged."""
        for cause, tally in self._tallies.items():
            if tally.timer is not None:
                tally.timer.cancel()
            if tally.folded:
                log.warning("stopping: %d more failures (%s) not reported", tally.folded, cause)
        if self._queue.qsize():
            log.warning("stopping: %d notices not sent", self._queue.qsize())
        self._tallies.clear()
        for task in self._senders:
            task.cancel()
        await asyncio.gather(*self._senders, return_exceptions=True)
        self._senders.clear()

    def _open_window(self, cause: Cause, tally: _Tally) -> None:
        loop = asyncio.get_running_loop()
        tally.timer = loop.call_later(self.window, self._window_ended, cause)

    def _window_ended(self, cause: Cause) -> None:
        tally = self._tallies[cause]
        if not tally.folded:
            del self._tallies[cause]  # quiet for a window: the next failure is news again
            return
        self._report(tally)
        tally.folded = 0
        self._open_window(cause, tally)

    def _report(self, tally: _Tally) -> None:
        text = self._renderer.render(
            "admin_error.html", error=tally.summary, folded=tally.folded, window=self.window
        )
        for chat_id in self._recipients:
            self._offer(Notice(chat_id, text))

    def _offer(self, notice: Notice) -> bool:
        if not self._senders:  # started by the first notice, inside the running loop
            # In a context of their own: not the scope (ids, outcome) of the update whose
            # failure happened to start them, which they would outlive and log under.
            self._senders = [
                asyncio.create_task(self._send_forever(), context=contextvars.Context())
                for _ in range(SENDERS)
            ]
        try:
            self._queue.put_nowait(notice)
        except asyncio.QueueFull:
            if not self._dropped:
                log.warning(
                    "the report queue is full (%d): notices are dropped", self._queue.maxsize
                )
            self._dropped += 1
            return False
        return True

    async def _send_forever(self) -> None:
        while True:
            notice = await self._queue.get()
            if self._dropped:
                log.warning("the report queue has room again; %d notices dropped", self._dropped)
                self._dropped = 0
            try:
                await self._messenger.notify(notice.chat_id, notice.text)
            except Exception:
                # Not the chat app's refusal (notify logs those) but a fault of the bot's own: this
                # sender must live on, or the queue would fill and every report be lost.
                log.exception("could not send a notice to chat %s", notice.chat_id)


async def tell_admins(messenger: Messenger, admin_ids: Collection[int], text: str) -> None:
    """A notice to every admin; one who cannot be reached does not stop the others."""
    for admin_id in sorted(admin_ids):
        await messenger.notify(admin_id, text)
