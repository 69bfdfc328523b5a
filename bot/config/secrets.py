"""Secrets given in a file: `NAME_FILE=/run/secrets/name` in place of `NAME=value`.

Docker and Kubernetes hand a secret over as a file, not as an environment variable (which
`docker inspect` and /proc/<pid>/environ show to anyone who may look). Each setting here
may be given either way, never both; the file's one trailing newline (an editor's, or
`echo`'s) is not part of the secret. A message about a file names the variable and the
path, never what the file holds.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping

from bot.config.errors import ConfigError

# Each NAME_FILE below is read by secret(env, NAME).
FILE_SETTINGS = (
    "TELEGRAM_BOT_TOKEN_FILE",
    "DATABASE_URL_FILE",
    "WEBHOOK_SECRET_FILE",
    "METRICS_TOKEN_FILE",
    "MATRIX_ACCESS_TOKEN_FILE",
)
# A secret is a line; a larger file is a wrong path (a log, a device such as /dev/zero).
MAX_SECRET_BYTES = 64 * 1024
# RFC 6750's token68: what an `Authorization: Bearer` header may carry.
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]+=*")


def secret(env: Mapping[str, str], name: str) -> str:
    """The value of `name`, or what the file `name`_FILE names holds; "" when neither is set."""
    value = env.get(name, "")
    variable = f"{name}_FILE"
    path = env.get(variable, "").strip()
    if not path:
        return value
    if value.strip():
        raise ConfigError(f"both {name} and {variable} are set: set only one of them")
    content = _read(variable, path)
    if len(content) > MAX_SECRET_BYTES:
        raise ConfigError(f"{variable} {path} is larger than {MAX_SECRET_BYTES // 1024} KiB")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{variable} {path} is not UTF-8 text") from None
    text = text.removesuffix("\n").removesuffix("\r")
    if not text.strip():
        raise ConfigError(f"{variable} {path} is empty: write the {name} into it")
    return text


def _read(variable: str, path: str) -> bytes:
    """At most MAX_SECRET_BYTES + 1 bytes of the regular file at `path`. A FIFO with no
    writer would block the open (and the start) for ever, a device or a folder is no
    secret: anything else is refused before it is opened, and the open cannot block (a
    FIFO swapped in between the two is caught by fstat, the descriptor never read)."""
    refusal = ConfigError(f"{variable} {path} is not a regular file: name the secret's file")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise refusal
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise refusal
            with os.fdopen(fd, "rb", closefd=False) as file:
                return file.read(MAX_SECRET_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as error:  # its text names the path only, never the content
        reason = error.strerror or type(error).__name__
        raise ConfigError(f"{variable} {path} cannot be read ({reason})") from None


def checked_secret(
    env: Mapping[str, str], name: str, form: re.Pattern[str], rule: str
) -> str | None:
    """The secret `name`, which must have the `form` that `rule` describes; None when unset.
    The message never quotes what was given."""
    value = secret(env, name).strip()
    if value and not form.fullmatch(value):
        raise ConfigError(f"{name} must be {rule}")
    return value or None


def metrics_token(env: Mapping[str, str]) -> str | None:
    """The token GET /metrics asks for (bot/web/metrics.py); None: /metrics is open."""
    rule = (
        "letters, digits and - . _ ~ + / (then = padding), as a bearer token may hold; "
        "`openssl rand -hex 32` makes one"
    )
    return checked_secret(env, "METRICS_TOKEN", _BEARER_TOKEN, rule)
