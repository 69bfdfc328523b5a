"""What `briefbot check` asks Telegram: whose token this is, whether the bot may post in each
channel of CHANNEL_IDS, and where Telegram sends the bot's updates.

Through the bot's own transport and proxy, as `briefbot run` would ask. Never raises for
what the Bot API answers, nor for not reaching it: each becomes a finding, in words the
command line (bot/cli_check.py) puts to the operator, the token taken out of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.config import Config
from bot.core.channels.checks import ChannelCheck
from bot.core.redaction import redact
from bot.telegram.channel_check import check_channel
from bot.telegram.transport import AiohttpRequest


@dataclass(frozen=True, slots=True)
class WebhookState:
    """getWebhookInfo's answer."""

    url: str  # "": no webhook set, updates are fetched with getUpdates
    pending: int
    last_error_at: datetime | None = None
    last_error: str = ""


@dataclass(frozen=True, slots=True)
class Checkup:
    """What Telegram said; `failure` set: it could not be asked (nothing else is known)."""

    username: str = ""
    bot_id: int = 0
    failure: str = ""  # the Bot API's or the network's words
    token_refused: bool = False
    channels: tuple[ChannelCheck, ...] = ()
    webhook: WebhookState | None = None
    webhook_failure: str = ""


async def ask_telegram(config: Config) -> Checkup:
    """getMe, then each channel's getChat and getChatMember, then getWebhookInfo."""
    bot = Bot(
        config.token,
        base_url=config.bot_url,
        base_file_url=config.file_url,
        request=AiohttpRequest(connections=4, proxy=config.proxy),
        get_updates_request=AiohttpRequest(connections=1, proxy=config.proxy),
    )
    try:
        try:
            await bot.initialize()
        except InvalidToken as error:
            return Checkup(failure=_words(error, config.token), token_refused=True)
        except TelegramError as error:
            return Checkup(failure=_words(error, config.token))
        channels = tuple([await check_channel(bot, ref) for ref in config.channel_ids])
        try:
            webhook = await _webhook(bot)
        except TelegramError as error:
            return Checkup(
                bot.username, bot.id, channels=channels, webhook_failure=_words(error, config.token)
            )
        return Checkup(bot.username, bot.id, channels=channels, webhook=webhook)
    finally:
        await bot.shutdown()


async def _webhook(bot: Bot) -> WebhookState:
    info = await bot.get_webhook_info()
    return WebhookState(
        info.url,
        info.pending_update_count,
        info.last_error_date,
        info.last_error_message or "",
    )


def _words(error: TelegramError, token: str) -> str:
    """The Bot API's or the network's words, without PTB's wrapping (which for a refused
    token quotes the token) and without the token wherever else it may stand."""
    cause = error.__cause__
    text = str(cause if isinstance(cause, TelegramError) else error)
    return redact(text.split(". Parsing the server response", 1)[0][:200], token)
