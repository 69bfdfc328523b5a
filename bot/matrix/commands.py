"""A message in a room as the bot reads it: `!facts 12` is the command `facts` with the
argument `12`; anything else is not for the bot (in a direct chat: the help)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.matrix.text import COMMAND_PREFIX

# A command's name is short; a body may be up to the homeserver's 64 KiB: only its start
# is looked at for the name, and the arguments are cut to what any command needs.
MAX_NAME = 32
MAX_ARGS = 64
MAX_ARGS_CHARS = 1024


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # lower case, without the prefix
    args: list[str]


def parse_command(body: str) -> Command | None:
    """`!Facts 12` → Command("facts", ["12"]); None for text that is not a command."""
    if not body.startswith(COMMAND_PREFIX):
        return None
    head = body[len(COMMAND_PREFIX) : len(COMMAND_PREFIX) + MAX_NAME + 1]
    name = head.split(maxsplit=1)[0].lower() if head.strip() else ""
    if not name or len(name) > MAX_NAME or not name.isascii() or not name.isalpha():
        return None
    rest = body[len(COMMAND_PREFIX) + len(name) : len(COMMAND_PREFIX) + len(name) + MAX_ARGS_CHARS]
    return Command(name, rest.split()[:MAX_ARGS])
