"""MATRIX_*: the Matrix account the bot serves briefs from, beside (or instead of nothing in)
Telegram. Unset MATRIX_HOMESERVER: no Matrix at all, nothing else of it is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.config.errors import ConfigError, quoted
from bot.config.numbers import check_url, decimal_number
from bot.config.secrets import secret

MATRIX_SETTINGS = (
    "MATRIX_HOMESERVER",
    "MATRIX_USER_ID",
    "MATRIX_ACCESS_TOKEN",
    "MATRIX_ADMIN_IDS",
    "MATRIX_ROOM_IDS",
    "MATRIX_ALLOWED_SERVERS",
    "MATRIX_SEND_RATE",
)
# Messages a second the bot sends to its homeserver, replies and the push together (its
# own budget, beside Telegram's): what a homeserver allows an account exempt from its
# message limit. Above what the homeserver allows is slower, not faster (bench.matrix):
# every refusal costs a pause and a send again.
SEND_RATE_DEFAULT = 10.0
MAX_SEND_RATE = 1000.0
# The spec's grammar, loosely: a sigil, a localpart, ':' and the server name (a host, an
# optional port); 255 characters at most in all.
_SERVER = r"[A-Za-z0-9.\-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?"
_USER = re.compile(rf"@[a-z0-9._=\-/+]+:(?:{_SERVER})")
# Any printable ASCII but ':' before the server name; from room version 12 on (the test
# Synapse's default), a room id is its creation's hash alone, without a server's name.
_ROOM = re.compile(rf"![!-9;-~]+(?::(?:{_SERVER}))?")
_SERVER_NAME = re.compile(_SERVER)
_ACCESS_TOKEN = re.compile(r"[!-~]+")  # printable ASCII, no spaces: a header's value
_MAX_ID = 255
_DOCS = "docs/operators/matrix.md"


@dataclass(frozen=True, slots=True)
class MatrixSettings:
    """Where the bot's Matrix account lives and who may do what there; `access_token` is a
    secret, kept out of repr."""

    homeserver: str
    user_id: str
    access_token: str
    admin_ids: frozenset[str] = frozenset()
    room_ids: tuple[str, ...] = ()  # rooms every published brief is posted to
    allowed_servers: frozenset[str] = frozenset()  # invitations from these only; empty: any
    send_rate: float = SEND_RATE_DEFAULT  # MATRIX_SEND_RATE, messages a second

    def __repr__(self) -> str:
        return f"MatrixSettings(homeserver={self.homeserver!r}, user_id={self.user_id!r})"

    def may_invite(self, user_id: str) -> bool:
        """Whether an invitation from `user_id` is accepted (MATRIX_ALLOWED_SERVERS)."""
        server = user_id.partition(":")[2]
        return not self.allowed_servers or server.lower() in self.allowed_servers


def matrix_settings(env: Mapping[str, str]) -> MatrixSettings | None:
    """The Matrix settings, None without MATRIX_HOMESERVER; ConfigError names each problem."""
    homeserver = env.get("MATRIX_HOMESERVER", "").strip().rstrip("/")
    if not homeserver:
        others = [name for name in MATRIX_SETTINGS[1:] if env.get(name, "").strip()]
        if others:
            raise ConfigError(
                f"{', '.join(others)} set without MATRIX_HOMESERVER: set it to the homeserver's "
                f"URL (https://matrix.example.org), or unset them ({_DOCS})"
            )
        return None
    problems = _homeserver_problems(homeserver)
    user_id = env.get("MATRIX_USER_ID", "").strip()
    if not _is_user(user_id):
        problems.append(
            "MATRIX_USER_ID must be the bot account's full Matrix id, such as "
            f"@briefbot:example.org, got {quoted(user_id)}"
        )
    token = _token(env, problems)
    admins = _listed(
        env, "MATRIX_ADMIN_IDS", _is_user, "user ids such as @editor:example.org", problems
    )
    rooms = _listed(
        env, "MATRIX_ROOM_IDS", _is_room, "room ids such as !AbCd:example.org", problems
    )
    servers = _listed(
        env, "MATRIX_ALLOWED_SERVERS", _is_server, "server names such as example.org", problems
    )
    send_rate = _send_rate(env, problems)
    if problems:
        raise ConfigError(*problems)
    return MatrixSettings(
        homeserver=homeserver,
        user_id=user_id,
        access_token=token,
        admin_ids=frozenset(admins),
        room_ids=tuple(dict.fromkeys(rooms)),
        allowed_servers=frozenset(server.lower() for server in servers),
        send_rate=send_rate,
    )


def _homeserver_problems(homeserver: str) -> list[str]:
    problems: list[str] = []
    try:
        check_url("MATRIX_HOMESERVER", homeserver)
    except ConfigError as error:
        problems.extend(error.problems)
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", homeserver):
        problems.append(
            "MATRIX_HOMESERVER must be the homeserver's URL, such as https://matrix.example.org, "
            f"got {quoted(homeserver)}"
        )
    return problems


def _send_rate(env: Mapping[str, str], problems: list[str]) -> float:
    raw = env.get("MATRIX_SEND_RATE", "").strip()
    if not raw:
        return SEND_RATE_DEFAULT
    found = decimal_number(raw)
    if found is None or not 0 < found <= MAX_SEND_RATE:
        problems.append(
            f"MATRIX_SEND_RATE must be messages per second, above 0 and at most "
            f"{MAX_SEND_RATE:g}, such as the homeserver's limit for the bot, got {quoted(raw)}"
        )
        return SEND_RATE_DEFAULT
    return found


def _token(env: Mapping[str, str], problems: list[str]) -> str:
    try:
        token = secret(env, "MATRIX_ACCESS_TOKEN").strip()
    except ConfigError as error:
        problems.extend(error.problems)
        return ""
    if not token:
        problems.append(
            "MATRIX_ACCESS_TOKEN is not set: log the bot's account in once and set the access "
            f"token it gets (or MATRIX_ACCESS_TOKEN_FILE to a file holding it); {_DOCS} says how"
        )
    elif not _ACCESS_TOKEN.fullmatch(token):
        problems.append("MATRIX_ACCESS_TOKEN must be printable ASCII without spaces")
    return token


def _listed(
    env: Mapping[str, str],
    name: str,
    valid: Callable[[str], bool],
    what: str,
    problems: list[str],
) -> list[str]:
    found: list[str] = []
    for part in (p.strip() for p in env.get(name, "").split(",")):
        if not part:
            continue
        if valid(part):
            found.append(part)
        else:
            problems.append(f"{name} must be comma-separated {what}, got {quoted(part)}")
    return found


def _is_user(text: str) -> bool:
    return len(text) <= _MAX_ID and _USER.fullmatch(text) is not None


def _is_room(text: str) -> bool:
    return len(text) <= _MAX_ID and _ROOM.fullmatch(text) is not None


def _is_server(text: str) -> bool:
    return len(text) <= _MAX_ID and _SERVER_NAME.fullmatch(text) is not None
