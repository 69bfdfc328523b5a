"""Starting and stopping the bot: what `run_polling` does, with every failure said in one line.

The order is PTB's (initialize, post_init, start polling, start; then the reverse), written
out so that each way a start can fail gets its own answer:

* the database is opened first, so a wrong DATABASE_PATH is reported before anything
  talks to Telegram (UnusableDatabaseError, for the command line to word);
* a Bot API that cannot be reached is asked again, 1 s, 2 s, 4 s ... up to a minute
  apart, one line per attempt, until it answers or the process is told to stop;
* a token the Bot API refuses is one line, and exit code 1;
* a second instance polling with the same token is one line, and exit code 3;
* a WEBHOOK_URL Telegram refuses, or an HTTP_PORT that cannot be listened on, is one line,
  and exit code 2;
* every HTTP session is closed on every one of these paths.

Updates come by long polling, or by webhook when WEBHOOK_URL is set
(bot/telegram/webhook/receiver.py). Without TELEGRAM_BOT_TOKEN, MATRIX_* set, Matrix alone
is served instead (bot/alone.py), with the same exit codes.
The bot's HTTP server (/healthz, /readyz, the webhook) listens from the start, so that
/healthz answers while the Bot API is still being reached. A stop (SIGTERM, SIGINT) first
stops taking updates (polling ends; the webhook answers 503, and Telegram keeps the update
for later), then lets the updates already taken be handled, for up to `stop_deadline`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import BadRequest, Conflict, InvalidToken, RetryAfter, TelegramError

from bot.alone import serve_alone
from bot.app import Composed, compose
from bot.config import Config
from bot.core.readiness import BOT_API_FRESH, Readiness
from bot.exits import ExitCode as ExitCode
from bot.exits import serve_http
from bot.matrix.adapter import MatrixStartError
from bot.telegram.bot_api import retry_after_seconds
from bot.telegram.context import BriefApplication
from bot.telegram.webhook.receiver import ALLOWED_UPDATES, MAX_BODY
from bot.telegram.webhook.registration import start_webhook
from bot.web.server import WebServer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Timing:
    first_retry: float = 1.0
    max_retry: float = 60.0
    poll_timeout: float = 10.0
    # Telegram ends a held poll with 409 Conflict when a newer one arrives, so two instances
    # of one bot take turns: each sees a 409 every few seconds, neither gets its updates.
    # The instance whose conflicts began as it started polling (before the other, refused
    # once, polls again: PTB waits 1 s) is the newcomer, and stops; the grace lets a restart
    # overlap the old process's last seconds. Two instances started within the window of
    # each other may both stop. A streak ends after a quiet spell longer than PTB's longest
    # wait between polls (30 s).
    newcomer_window: float = 5.0
    conflict_grace: float = 5.0
    conflict_quiet: float = 60.0
    # How long a stop waits for the updates already taken to be handled.
    stop_deadline: float = 15.0
    # /readyz: the Bot API must have answered within this many seconds.
    bot_api_fresh: float = BOT_API_FRESH


async def run(config: Config, timing: Timing = Timing()) -> int:
    """`briefbot run`: serve until SIGINT or SIGTERM; returns the process's exit code."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        return await serve(config, stop, timing)
    finally:
        for number in signals:
            loop.remove_signal_handler(number)


async def serve(config: Config, stop: asyncio.Event, timing: Timing = Timing()) -> int:
    """Serve until `stop` is set. Raises UnusableDatabaseError before touching Telegram."""
    if not config.telegram:  # MATRIX_* without TELEGRAM_BOT_TOKEN: Matrix alone
        return await serve_alone(config, stop, timing.bot_api_fresh)
    watch = PollWatch(stop, config.telegram_api_url, timing)
    readiness = Readiness(bot_api_fresh=timing.bot_api_fresh)
    composed = await compose(config, on_token_refused=watch.token_refused, readiness=readiness)
    server = None
    if config.http_port is not None:
        server = WebServer(config.http_host, config.http_port, composed.routes, max_body=MAX_BODY)
    try:
        if server is not None and not await serve_http(server, config):
            return ExitCode.UNUSABLE_SETTING
        return await _serve(composed, stop, timing, watch)
    finally:
        await _release(composed, timing)
        if server is not None:
            await server.stop()


async def _serve(composed: Composed, stop: asyncio.Event, timing: Timing, watch: PollWatch) -> int:
    application = composed.application
    url = _api_url(application)
    try:
        if not await _reach(application, url, stop, timing):
            return ExitCode.STOPPED
    except InvalidToken as error:
        log.error(
            "the Bot API at %s refused TELEGRAM_BOT_TOKEN (%s): check the token with "
            "@BotFather, and TELEGRAM_API_URL if you set it",
            url,
            _reason(error),
        )
        return ExitCode.FAILED
    watch.started()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if not await _start_receiving(composed, timing, watch):
            return ExitCode.UNUSABLE_SETTING
        await application.start()
    except TelegramError as error:
        log.error("the bot could not start: the Bot API at %s failed (%s)", url, _reason(error))
        return ExitCode.FAILED
    except MatrixStartError as error:  # MATRIX_*: the account's token, checked in post_init
        log.error("%s", error)
        return ExitCode.FAILED
    composed.services.readiness.serving = True
    await stop.wait()
    return watch.outcome


async def _start_receiving(composed: Composed, timing: Timing, watch: PollWatch) -> bool:
    """Start taking updates; False when Telegram refuses WEBHOOK_URL (said in one line)."""
    application, receiver = composed.application, composed.webhook
    if receiver is None:
        updater = application.updater
        assert updater is not None, "the composition root builds an Updater unless WEBHOOK_URL"
        # PTB deletes any webhook first: Telegram refuses getUpdates while one is set.
        # The update kinds are named: Telegram keeps the last list it was given (a webhook's).
        await updater.start_polling(
            timeout=timedelta(seconds=timing.poll_timeout),
            error_callback=watch.on_error,
            allowed_updates=list(ALLOWED_UPDATES),
        )
        return True
    try:
        await start_webhook(application, receiver)
    except BadRequest as error:
        log.error(
            "the Bot API at %s refused WEBHOOK_URL (%s): give the public https:// URL that "
            "reaches this bot's HTTP_PORT",
            _api_url(application),
            _reason(error),
        )
        return False
    return True


async def _reach(
    application: BriefApplication, url: str, stop: asyncio.Event, timing: Timing
) -> bool:
    """Initialize (getMe) until the Bot API answers: True, or False if stopped first."""
    delay = timing.first_retry
    attempt = 0
    while True:
        attempt += 1
        try:
            return await _unless_stopped(application.initialize(), stop)
        except InvalidToken:
            raise
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            reason = _reason(error)
        except TelegramError as error:  # NetworkError, TimedOut, an answer that is not JSON
            wait, delay = delay, min(delay * 2, timing.max_retry)
            reason = _reason(error)
        log.warning(
            "the Bot API at %s is not answering (%s); attempt %d, trying again in %g s",
            url,
            reason,
            attempt,
            wait,
        )
        if await _stopped_within(stop, wait):
            return False


async def _unless_stopped(work: Awaitable[None], stop: asyncio.Event) -> bool:
    """Run `work` to its end (True), or cancel it when `stop` is set first (False)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((task, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        return False
    task.result()
    return True


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


async def _release(composed: Composed, timing: Timing) -> None:
    """Undo whatever part of the start happened; safe after any of them."""
    application = composed.application
    composed.services.readiness.stopping = True
    if composed.webhook is not None:
        composed.webhook.close()  # from now on Telegram is answered 503 and keeps the update
    updater = application.updater
    if updater is not None and updater.running:
        await updater.stop()
    if application.running:
        await _finish_updates(application, timing.stop_deadline)
    await application.shutdown()  # nothing if initialize never finished ...
    await application.bot.shutdown()  # ... but the bot's HTTP sessions may be open
    if application.post_shutdown is not None:
        await application.post_shutdown(application)  # the push, then storage


async def _finish_updates(application: BriefApplication, deadline: float) -> None:
    """Application.stop handles every update taken and waits for the jobs, within `deadline`."""
    stopping = asyncio.ensure_future(application.stop())
    try:
        await asyncio.wait_for(asyncio.shield(stopping), deadline)
    except TimeoutError:
        log.warning(
            "updates were still being handled %g s after the stop; stopping without them",
            deadline,
        )


class PollWatch:
    """Hears every failed poll: one line each, and the end when another instance polls.

    Kept in memory, per process: a restart begins a new watch. With several replicas on one
    token, the replica started last stops (they cannot share one getUpdates stream).
    """

    def __init__(self, stop: asyncio.Event, url: str, timing: Timing) -> None:
        self.outcome = ExitCode.STOPPED
        self._stop = stop
        self._url = url
        self._timing = timing
        self._started = time.monotonic()
        self._streak_began: float | None = None
        self._last_conflict = 0.0

    def started(self) -> None:
        """Polling starts now: conflicts are timed from here."""
        self._started = time.monotonic()

    def token_refused(self) -> None:
        """A poll was refused with 401: the token was revoked or changed while the bot ran."""
        if self._stop.is_set():
            return
        log.error(
            "the Bot API at %s no longer accepts TELEGRAM_BOT_TOKEN (Unauthorized): it was "
            "revoked or changed with @BotFather; set the new token and start again",
            self._url,
        )
        self.outcome = ExitCode.FAILED
        self._stop.set()

    def on_error(self, error: TelegramError) -> None:
        if isinstance(error, Conflict):
            self._conflict()
            return
        # PTB polls again, waiting longer each time (up to 30 s).
        log.warning("polling the Bot API at %s failed (%s)", self._url, _reason(error))

    def _conflict(self) -> None:
        now = time.monotonic()
        timing = self._timing
        first = self._streak_began is None or now - self._last_conflict > timing.conflict_quiet
        if first:
            self._streak_began = now
        self._last_conflict = now
        began = self._streak_began
        assert began is not None
        if began - self._started > timing.newcomer_window:
            if first:
                log.warning(
                    "another instance started polling with this TELEGRAM_BOT_TOKEN "
                    "(409 Conflict); this one keeps serving, the newer one should stop"
                )
        elif now - began >= timing.conflict_grace and not self._stop.is_set():
            log.error(
                "another instance is already polling with this TELEGRAM_BOT_TOKEN "
                "(409 Conflict); stopping this one: stop the other first, or give each its "
                "own token (exit code %d)",
                ExitCode.OTHER_INSTANCE,
            )
            self.outcome = ExitCode.OTHER_INSTANCE
            self._stop.set()


def _api_url(application: BriefApplication) -> str:
    return application.bot_data.services.config.telegram_api_url


def _reason(error: TelegramError) -> str:
    """The Bot API's words, without PTB's wrapping (which for InvalidToken quotes the token)."""
    cause = error.__cause__
    text = str(cause if isinstance(cause, TelegramError) else error)
    return text.split(". Parsing the server response", 1)[0][:200]
