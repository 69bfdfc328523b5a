"""MATRIX_*: read only with MATRIX_HOMESERVER, every problem named at once, the token kept
out of repr, room ids of every room version."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.errors import ConfigError
from bot.config.matrix import matrix_settings

TOKEN = "syt_YnJpZWZib3Q_SecretPart_1x2y3z"
GOOD = {
    "MATRIX_HOMESERVER": "https://matrix.example.org/",
    "MATRIX_USER_ID": "@briefbot:example.org",
    "MATRIX_ACCESS_TOKEN": TOKEN,
}


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        matrix_settings(env)
    return list(raised.value.problems)


def test_no_homeserver_is_no_matrix() -> None:
    assert matrix_settings({}) is None


def test_a_matrix_setting_without_the_homeserver_is_named() -> None:
    [problem] = problems({"MATRIX_USER_ID": "@briefbot:example.org", "MATRIX_ROOM_IDS": "!a:b"})
    assert problem.startswith("MATRIX_USER_ID, MATRIX_ROOM_IDS set without MATRIX_HOMESERVER")


def test_the_settings_read_and_the_token_kept_out_of_repr() -> None:
    env = GOOD | {
        "MATRIX_ADMIN_IDS": "@editor:example.org, @chief:example.net",
        "MATRIX_ALLOWED_SERVERS": "Example.org",
    }
    settings = matrix_settings(env)
    assert settings is not None
    assert settings.homeserver == "https://matrix.example.org"
    assert settings.admin_ids == {"@editor:example.org", "@chief:example.net"}
    assert settings.may_invite("@alice:example.org")
    assert not settings.may_invite("@mallory:example.com")
    assert TOKEN not in repr(settings)


@pytest.mark.parametrize(
    "room",
    [
        "!AbCdEfGh:example.org",
        "!AbCdEfGh:matrix.example.org:8448",
        # Room version 12 and later: the creation event's hash alone, no server name.
        "!6aXj3LqG_Jc_Mp9eGvlPta5WuB6f7nMYSAFxfkD2IDg",
    ],
)
def test_room_ids_of_every_room_version(room: str) -> None:
    settings = matrix_settings(GOOD | {"MATRIX_ROOM_IDS": f"{room}, {room}"})
    assert settings is not None
    assert settings.room_ids == (room,)


@pytest.mark.parametrize("room", ["#briefs:example.org", "!", "!a b:example.org", "AbCd"])
def test_what_is_no_room_id_is_refused(room: str) -> None:
    [problem] = problems(GOOD | {"MATRIX_ROOM_IDS": room})
    assert problem.startswith("MATRIX_ROOM_IDS must be comma-separated room ids")


def test_every_problem_at_once() -> None:
    env = {
        "MATRIX_HOMESERVER": "matrix.example.org",
        "MATRIX_USER_ID": "briefbot",
        "MATRIX_ADMIN_IDS": "editor",
    }
    found = problems(env)
    assert [problem.split()[0] for problem in found] == [
        "MATRIX_HOMESERVER",
        "MATRIX_USER_ID",
        "MATRIX_ACCESS_TOKEN",
        "MATRIX_ADMIN_IDS",
    ]


def test_the_token_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "matrix_access_token"
    path.write_text(f"{TOKEN}\n", encoding="utf-8")
    env = {name: value for name, value in GOOD.items() if name != "MATRIX_ACCESS_TOKEN"}
    settings = matrix_settings(env | {"MATRIX_ACCESS_TOKEN_FILE": str(path)})
    assert settings is not None
    assert settings.access_token == TOKEN


def test_the_send_rate_is_what_the_homeserver_allows_the_bot() -> None:
    base = {
        "MATRIX_HOMESERVER": "https://matrix.example.org",
        "MATRIX_USER_ID": "@briefbot:example.org",
        "MATRIX_ACCESS_TOKEN": "syt_token",
    }
    settings = matrix_settings(base)
    assert settings is not None
    assert settings.send_rate == 10
    faster = matrix_settings({**base, "MATRIX_SEND_RATE": "25.5"})
    assert faster is not None
    assert faster.send_rate == 25.5
    for wrong in ("0", "-1", "fast", "1001"):
        with pytest.raises(ConfigError, match="MATRIX_SEND_RATE must be messages per second"):
            matrix_settings({**base, "MATRIX_SEND_RATE": wrong})
