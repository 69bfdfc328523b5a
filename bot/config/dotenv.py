"""The `.env` file, read as python-dotenv and docker compose read it."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config.errors import ConfigError


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines as python-dotenv and docker compose do.

    Blank lines and `#` comment lines are skipped; an `export ` prefix is allowed. An
    unquoted value ends at a `#` with whitespace before it (`KEY=value  # note`); a `#`
    without (`KEY=a#b`) is part of it. A quoted value ends at its closing quote, so a `#`
    inside quotes is kept, and only a comment may follow; `\\"` and `\\n` in double quotes,
    `\\'` in single quotes are escapes. Values span one line.
    """
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _DOTENV_LINE.fullmatch(line)
        # The line itself is never quoted back: it may hold the token or a password.
        if match is None:
            raise ConfigError(
                f"{path}, line {number}: expected KEY=VALUE, a name of letters, digits and _ "
                "then = and the value"
            )
        value = _dotenv_value(match[2])
        if value is None:
            raise ConfigError(
                f"{path}, line {number} ({match[1]}): a quoted value must end with its "
                "closing quote, then nothing but a # comment"
            )
        values[match[1]] = value
    return values


_DOTENV_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=(.*)")
_QUOTED = {
    '"': re.compile(r'\s*"((?:[^"\\]|\\.)*)"\s*(?:#.*)?'),
    "'": re.compile(r"\s*'((?:[^'\\]|\\.)*)'\s*(?:#.*)?"),
}
_ESCAPES = {
    '"': {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"},
    "'": {"'": "'", "\\": "\\"},
}


def _dotenv_value(text: str) -> str | None:
    """The value after `=`: None for a quoted value not closed, or followed by other text."""
    quote = text.lstrip()[:1]
    if quote not in _QUOTED:
        return re.split(r"\s#", text, maxsplit=1)[0].strip()
    match = _QUOTED[quote].fullmatch(text)
    if match is None:
        return None
    escapes = _ESCAPES[quote]
    return re.sub(r"\\(.)", lambda e: escapes.get(e[1], e[0]), match[1])
