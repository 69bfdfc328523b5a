"""BOT_LANGUAGE and TEMPLATES_DIR: the language the bot speaks to a reader it knows nothing
of, and a folder of the newsroom's own templates and translations.

Only the form is checked here; whether a catalogue exists for the language, and whether the
folder's templates compile, is checked when the renderer is built at start
(bot/core/rendering.py), where the catalogues are read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from bot.config.errors import ConfigError, quoted

LANGUAGE_SETTINGS = ("BOT_LANGUAGE", "TEMPLATES_DIR")
# An ISO 639 language code, as Telegram's language_code and gettext's folders name them.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def bot_language(env: Mapping[str, str]) -> str:
    found = env.get("BOT_LANGUAGE", "").strip() or "en"
    if not LANGUAGE_CODE.fullmatch(found):
        raise ConfigError(
            "BOT_LANGUAGE must be a lower-case ISO 639-1 language code such as en, es, uk, "
            f"ru or ar, got {quoted(found)}"
        )
    return found


def operator_templates(env: Mapping[str, str]) -> Path | None:
    raw = env.get("TEMPLATES_DIR", "").strip()
    if not raw:
        return None
    path = Path(raw)
    if not path.is_dir():
        raise ConfigError(
            f"TEMPLATES_DIR {quoted(raw)} is not a folder: name the folder holding your own "
            "templates (and locale/<language>/LC_MESSAGES/messages.po files), or unset it"
        )
    return path
