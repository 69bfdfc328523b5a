"""The `.env` file, read by python-dotenv's `dotenv_values` and by its rules, which
docs/operators/settings.md states: `NAME=VALUE` lines, `#` comments, `export ` allowed,
quoted values that may span lines, `${NAME}` and `${NAME:-default}` replaced.

python-dotenv skips a line it cannot read and logs a warning naming its number; those
warnings are taken here and told as problems of the settings, each naming the line and
never quoting it: it may hold the token or a password.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from bot.config.errors import ConfigError

# Where python-dotenv logs the lines it skips ("could not parse statement starting at line
# %s", the line's number its one argument).
_DOTENV_LOGGER = "dotenv.main"
# A name a line may hold alone: python-dotenv reads it as a name without a value (unset
# here; docker compose passes the host's value of it into the container). Anything else
# alone on a line (a token or a URL pasted without its NAME=) is a mistake.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_LINE_RULE = (
    "write NAME=VALUE, a quoted value closed by its own quote with nothing after it but a # comment"
)


@dataclass(frozen=True, slots=True)
class DotenvFile:
    """What a `.env` file sets, and what is wrong in it (python-dotenv skipped those lines)."""

    values: dict[str, str]
    problems: tuple[str, ...] = ()


def dotenv_file(path: Path) -> DotenvFile:
    """The values set in the file at `path` (none when there is no such file)."""
    if not path.is_file():  # nor a FIFO, whose open would wait for a writer
        return DotenvFile({})
    skipped = _SkippedLines()
    try:
        with skipped.caught():
            read = dotenv_values(path, encoding="utf-8-sig")
    except UnicodeDecodeError:
        return DotenvFile({}, (f"{path} is not UTF-8 text: save it as UTF-8",))
    except OSError as error:  # its text names the path only
        reason = error.strerror or type(error).__name__
        return DotenvFile({}, (f"{path} cannot be read ({reason}): make it readable",))
    problems = [
        f"{path}, line {line}: python-dotenv cannot read this line and skips it: {_LINE_RULE}"
        for line in skipped.lines
    ]
    if any(value is None and not _NAME.fullmatch(name) for name, value in read.items()):
        problems.append(
            f"{path}: a line is neither NAME=VALUE nor a # comment, and is skipped (it is not "
            f"shown: it may be a secret): {_LINE_RULE}"
        )
    values = {name: value for name, value in read.items() if value is not None}
    return DotenvFile(values, tuple(problems))


def read_dotenv(path: Path) -> dict[str, str]:
    """The values set in the file at `path`; ConfigError names every line skipped."""
    found = dotenv_file(path)
    if found.problems:
        raise ConfigError(*found.problems)
    return found.values


class _SkippedLines(logging.Handler):
    """python-dotenv's warnings of the lines it skipped, by number, while `caught`."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[int | str] = []

    def emit(self, record: logging.LogRecord) -> None:
        numbers = [arg for arg in record.args or () if isinstance(arg, int)]
        self.lines.append(numbers[0] if numbers else "unknown")

    @contextmanager
    def caught(self) -> Iterator[None]:
        """python-dotenv's warnings come here only, not to stderr (logging is not yet set up
        while the settings are read) nor to the bot's log."""
        logger = logging.getLogger(_DOTENV_LOGGER)
        propagate, level, disabled = logger.propagate, logger.level, logger.disabled
        logger.addHandler(self)
        logger.propagate, logger.disabled = False, False
        logger.setLevel(logging.WARNING)
        try:
            yield
        finally:
            logger.removeHandler(self)
            logger.propagate, logger.disabled = propagate, disabled
            logger.setLevel(level)
