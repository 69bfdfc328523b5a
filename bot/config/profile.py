"""BOT_DESCRIPTION and BOT_SHORT_DESCRIPTION: the bot's descriptions in Telegram, when the
operator words them (unset: the bot's own wording, templates/bot_description.txt and
bot_short_description.txt). Held to the lengths Telegram allows, so that a text Telegram
would refuse stops the start instead of failing quietly after it."""

from __future__ import annotations

from collections.abc import Mapping

from bot.config.errors import ConfigError

# Telegram's limits (setMyDescription, setMyShortDescription), in characters.
DESCRIPTION_MAX = 512
SHORT_DESCRIPTION_MAX = 120
DESCRIPTION_SETTINGS = ("BOT_DESCRIPTION", "BOT_SHORT_DESCRIPTION")


def bot_description(env: Mapping[str, str]) -> str | None:
    """Shown in an empty chat with the bot, before anyone presses Start."""
    return _description(env, "BOT_DESCRIPTION", DESCRIPTION_MAX)


def bot_short_description(env: Mapping[str, str]) -> str | None:
    """Shown on the bot's profile and beside a link to the bot when it is shared."""
    return _description(env, "BOT_SHORT_DESCRIPTION", SHORT_DESCRIPTION_MAX)


def _description(env: Mapping[str, str], name: str, limit: int) -> str | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    if len(text) > limit:
        raise ConfigError(
            f"{name} is {len(text)} characters long; Telegram allows at most {limit}: "
            f"shorten it, or unset it for the bot's own wording"
        )
    return text
