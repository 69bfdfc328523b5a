"""The bot's descriptions: the long one (shown in an empty chat with the bot, "What can this
bot do?") and the short one (on the bot's profile, and beside a shared link to it).

Each is kept per language code, as Telegram keeps them: "" is the text for every user
whose language has no text of its own. A language code is empty or two lowercase Latin
letters, as TDLib's validate_bot_language_code requires. An empty or missing text removes
the text for that language. The getters return exactly the text of the language asked
for, "" when it has none: whether Telegram's server falls back to the text for every
language there is not in any public source, so the fake does not, and no test may rely on
a fallback.

Telegram allows 512 characters for the description and 120 for the short one (the Bot
API's documentation). Its words for a longer one are not in any public source (the Bot
API server passes the text on to Telegram's own servers unchecked); the fake refuses with
a 400 in its own words, so that nothing longer ever passes here.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fakebot.errors import bad_request
from tests.fakebot.world import MethodImpl

DESCRIPTION_MAX = 512
SHORT_DESCRIPTION_MAX = 120
_LANGUAGE_RE = re.compile(r"[a-z]{2}")


class BotProfile:
    """What setMyDescription and setMyShortDescription stored, by language code."""

    def __init__(self) -> None:
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}

    def implementations(self) -> dict[str, MethodImpl]:
        return {
            "setMyDescription": self.set_my_description,
            "getMyDescription": self.get_my_description,
            "setMyShortDescription": self.set_my_short_description,
            "getMyShortDescription": self.get_my_short_description,
        }

    # -- test side -------------------------------------------------------------------------

    def description(self, language_code: str = "") -> str:
        return self.descriptions.get(language_code, "")

    def short_description(self, language_code: str = "") -> str:
        return self.short_descriptions.get(language_code, "")

    # -- methods ---------------------------------------------------------------------------

    async def set_my_description(self, params: dict[str, Any]) -> Any:
        _store(self.descriptions, params, "description", DESCRIPTION_MAX)
        return True

    async def get_my_description(self, params: dict[str, Any]) -> Any:
        return {"description": self.descriptions.get(_language(params), "")}

    async def set_my_short_description(self, params: dict[str, Any]) -> Any:
        _store(self.short_descriptions, params, "short_description", SHORT_DESCRIPTION_MAX)
        return True

    async def get_my_short_description(self, params: dict[str, Any]) -> Any:
        return {"short_description": self.short_descriptions.get(_language(params), "")}


def _language(params: dict[str, Any]) -> str:
    language = params.get("language_code", "")
    if language and not _LANGUAGE_RE.fullmatch(language):
        raise bad_request("invalid language code specified")
    return str(language)


def _store(texts: dict[str, str], params: dict[str, Any], name: str, limit: int) -> None:
    text = params.get(name, "")
    language = _language(params)
    if len(text) > limit:
        words = name.replace("_", " ")
        raise bad_request(f"{words} is too long: at most {limit} characters are allowed")
    if text:
        texts[language] = text
    else:
        texts.pop(language, None)
