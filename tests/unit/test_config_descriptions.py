"""BOT_DESCRIPTION and BOT_SHORT_DESCRIPTION: unset means the bot's own wording; a text
longer than Telegram allows stops the start with a line naming the variable."""

import pytest

from bot.config import ConfigError, load_config
from bot.config.profile import DESCRIPTION_MAX, SHORT_DESCRIPTION_MAX

TOKEN = "123456:ABC-def_ghi"


def load(**env: str) -> tuple[str | None, str | None]:
    loaded = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, **env}, dotenv=None)
    return loaded.bot_description, loaded.bot_short_description


def test_unset_or_blank_means_the_bots_own_wording() -> None:
    assert load() == (None, None)
    assert load(BOT_DESCRIPTION="  ", BOT_SHORT_DESCRIPTION="") == (None, None)


def test_a_description_is_taken_as_written_within_telegrams_limits() -> None:
    assert load(BOT_DESCRIPTION=" Our newsroom's briefs. ", BOT_SHORT_DESCRIPTION="Briefs.") == (
        "Our newsroom's briefs.",
        "Briefs.",
    )
    longest = load(BOT_DESCRIPTION="é" * DESCRIPTION_MAX, BOT_SHORT_DESCRIPTION="ü" * 120)
    assert longest == ("é" * DESCRIPTION_MAX, "ü" * SHORT_DESCRIPTION_MAX)


@pytest.mark.parametrize(
    ("name", "limit"),
    [("BOT_DESCRIPTION", DESCRIPTION_MAX), ("BOT_SHORT_DESCRIPTION", SHORT_DESCRIPTION_MAX)],
)
def test_a_longer_text_is_a_settings_error_naming_the_variable(name: str, limit: int) -> None:
    with pytest.raises(ConfigError) as raised:
        load(**{name: "x" * (limit + 1)})
    message = str(raised.value)
    assert message.startswith(f"{name} is {limit + 1} characters long")
    assert f"Telegram allows at most {limit}" in message
    assert "\n" not in message
