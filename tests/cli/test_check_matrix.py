"""`briefbot check` with MATRIX_* set, against a real Synapse (tests/synapse/): whose the
access token is, a refused token and what to change, another account's token, a homeserver
that cannot be reached, and the rooms of MATRIX_ROOM_IDS the bot has not joined."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.lifecycle import ExitCode
from tests.cli.test_check import Checked, check
from tests.fakebot import FakeBotApi
from tests.synapse.server import Account, Homeserver


@pytest.fixture
async def telegram() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


def env(telegram: FakeBotApi, homeserver: str, bot: Account, **more: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.url,
        "MATRIX_HOMESERVER": homeserver,
        "MATRIX_USER_ID": bot.user_id,
        "MATRIX_ACCESS_TOKEN": bot.access_token,
        **more,
    }


def matrix_part(checked: Checked) -> list[str]:
    """The lines under "Matrix, at ...:", stripped."""
    lines = checked.out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Matrix, at "))
    return [line.strip() for line in lines[start + 1 :] if line.startswith("  ")]


async def test_the_bots_own_token_in_its_rooms_is_all_well(
    homeserver: Homeserver, telegram: FakeBotApi, tmp_path: Path
) -> None:
    bot = await homeserver.fresh_user("briefbot")
    async with homeserver.user("editor") as editor, homeserver.client(bot) as as_bot:
        room = await editor.create_room(invite=[bot.user_id])
        await as_bot.join(room)
        checked = await check(tmp_path, env(telegram, homeserver.url, bot, MATRIX_ROOM_IDS=room))
    assert checked.code == 0, checked
    assert f"Matrix, at {homeserver.url}:" in checked.out
    device = f"ok       MATRIX_ACCESS_TOKEN is {bot.user_id}'s, device "
    assert matrix_part(checked)[0].startswith(device.strip()), checked.out
    assert f"ok       room {room} (MATRIX_ROOM_IDS): the bot is in it and may post" in checked.out
    assert checked.out.rstrip().endswith("All is well.")
    checked.secrets_absent(bot.access_token)


async def test_a_room_the_bot_is_not_in_or_may_not_post_in_says_what_to_do(
    homeserver: Homeserver, telegram: FakeBotApi, tmp_path: Path
) -> None:
    bot = await homeserver.fresh_user("briefbot")
    async with homeserver.user("editor") as editor:
        joined = await editor.create_room(invite=[bot.user_id])
        muted = await editor.create_room(invite=[bot.user_id])
        async with homeserver.client(bot) as as_bot:
            await as_bot.join(joined)
            await as_bot.join(muted)
        levels = await editor.state(muted, "m.room.power_levels")
        levels["events"] = {**levels.get("events", {}), "m.room.message": 50}
        await editor.put_state(muted, "m.room.power_levels", levels)
        invited = await editor.create_room(invite=[bot.user_id])  # invited, not joined
        server = bot.user_id.partition(":")[2]
        settings = env(
            telegram,
            homeserver.url,
            bot,
            MATRIX_ROOM_IDS=f"{joined},{muted},{invited}",
            MATRIX_ALLOWED_SERVERS=f"{server},example.org",
        )
        checked = await check(tmp_path, settings)
    assert checked.code == ExitCode.FAILED, checked
    assert f"ok       room {joined} (MATRIX_ROOM_IDS): the bot is in it and may post" in checked.out
    assert (
        f"PROBLEM  room {muted} (MATRIX_ROOM_IDS): the bot is in it, but its power level is "
        f"below what messages need: raise {bot.user_id}'s (in Element: Room settings, Roles & "
        "Permissions)"
    ) in checked.out
    servers = ", ".join(sorted([server, "example.org"]))
    assert (
        f"PROBLEM  room {invited} (MATRIX_ROOM_IDS): the bot is not in it. Make the room "
        f"public, or invite {bot.user_id} there: the bot joins it at its next start, or at "
        f"once when invited by a user of {servers} (MATRIX_ALLOWED_SERVERS) while it runs"
    ) in checked.out
    assert checked.out.rstrip().endswith("2 problems found.")


async def test_a_refused_token_says_what_to_change_and_is_never_printed(
    homeserver: Homeserver, telegram: FakeBotApi, tmp_path: Path
) -> None:
    bot = await homeserver.fresh_user("briefbot")
    wrong = Account(bot.user_id, "syt_d3JvbmctdG9rZW4_NoSuchToken_0a1b2c")
    checked = await check(tmp_path, env(telegram, homeserver.url, wrong))
    assert checked.code == ExitCode.FAILED, checked
    [problem] = matrix_part(checked)
    assert problem.startswith(
        "PROBLEM  the homeserver refused MATRIX_ACCESS_TOKEN (M_UNKNOWN_TOKEN: "
    ), problem
    assert (
        "Log the bot's account in again and set MATRIX_ACCESS_TOKEN (or "
        "MATRIX_ACCESS_TOKEN_FILE) to the new token: docs/operators/matrix.md"
    ) in problem
    # Telegram's part still said, and counted apart.
    assert "ok       TELEGRAM_BOT_TOKEN is the bot @briefbot_test_bot's" in checked.out
    assert checked.out.rstrip().endswith("1 problem found.")
    checked.secrets_absent(wrong.access_token, bot.access_token)


async def test_another_accounts_token_is_a_problem_naming_both(
    homeserver: Homeserver, telegram: FakeBotApi, tmp_path: Path
) -> None:
    bot = await homeserver.fresh_user("briefbot")
    someone = await homeserver.fresh_user("editor")
    mixed = Account(bot.user_id, someone.access_token)
    checked = await check(tmp_path, env(telegram, homeserver.url, mixed, MATRIX_ROOM_IDS=""))
    assert checked.code == ExitCode.FAILED, checked
    assert matrix_part(checked) == [
        f"PROBLEM  MATRIX_ACCESS_TOKEN is {someone.user_id}'s, not MATRIX_USER_ID "
        f"{bot.user_id}'s: set the bot account's own token, or MATRIX_USER_ID to the account "
        "the token is of"
    ]
    checked.secrets_absent(someone.access_token)


async def test_an_unreachable_homeserver_is_a_problem_not_a_traceback(
    telegram: FakeBotApi, tmp_path: Path
) -> None:
    bot = Account("@briefbot:example.org", "syt_YnJpZWZib3Q_SecretPart_1x2y3z")
    checked = await check(tmp_path, env(telegram, "http://127.0.0.1:9", bot))
    assert checked.code == ExitCode.FAILED, checked
    [problem] = matrix_part(checked)
    assert problem.startswith("PROBLEM  the homeserver cannot be reached ("), problem
    assert problem.endswith(
        "check the network and MATRIX_HOMESERVER, the URL Matrix clients use "
        "(such as https://matrix.example.org)"
    )
    checked.secrets_absent(bot.access_token)
