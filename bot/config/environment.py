"""Where the settings are read from: the process environment, which wins, over the `.env`
file; and the names there that look like a setting misspelled."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.config.dotenv import DotenvFile, dotenv_file
from bot.config.proxy import PROXY_SETTINGS
from bot.config.secrets import FILE_SETTINGS

ENVIRONMENT = "the environment"
DEFAULT = "default"
# How alike a name must be to a setting to be taken for a misspelling of it: ADMINS_IDS
# (0.95) and TELEGRAM_TOKEN (0.88) are; PATH, HOME or LOGNAME are far below.
_MISSPELLING_CUTOFF = 0.8


@dataclass(frozen=True, slots=True)
class Environment:
    """The names and values the settings are read from, and where each came from."""

    values: Mapping[str, str]
    origins: Mapping[str, str] = field(default_factory=dict)  # ENVIRONMENT or the file's path
    problems: tuple[str, ...] = ()  # the .env file's

    def origin(self, name: str) -> str:
        """Where `name`'s value came from: DEFAULT when it is unset or blank."""
        if not self.values.get(name, "").strip():
            return DEFAULT
        return self.origins.get(name, ENVIRONMENT)


def read_environment(environ: Mapping[str, str] | None, dotenv: Path | None) -> Environment:
    """The process environment (or `environ`) over the `.env` file at `dotenv`, if any."""
    found = dotenv_file(dotenv) if dotenv is not None else DotenvFile({})
    process = os.environ if environ is None else environ
    origins = {name: str(dotenv) for name in found.values}
    origins.update(dict.fromkeys(process, ENVIRONMENT))
    return Environment({**found.values, **process}, origins, found.problems)


def misspellings(env: Environment, settings: Sequence[str]) -> list[str]:
    """One line for each name in the `.env` file or the environment that is not one of
    `settings` but close to one: what the operator most likely meant to set."""
    found = []
    for name, where in env.origins.items():
        if name.upper() in settings and (name in settings or name.upper() in PROXY_SETTINGS):
            continue
        if any(name.upper().endswith(f"_{setting}") for setting in settings):
            continue  # another program's own setting, named after ours (TEST_DATABASE_URL)
        meant = name.removesuffix("_FILE")
        if meant != name and meant in settings:
            found.append(
                f"{name} in {where} is not a briefbot setting: only the secrets may be given "
                f"in a file ({', '.join(FILE_SETTINGS)}); set {meant} itself"
            )
            continue
        close = _file_variant(name) or difflib.get_close_matches(
            name.upper(), settings, n=1, cutoff=_MISSPELLING_CUTOFF
        )
        if close:
            found.append(f"{name} in {where} is not a briefbot setting; did you mean {close[0]}?")
    return found


def _file_variant(name: str) -> list[str]:
    """A secret's name and another suffix (METRICS_TOKEN_PATH): its NAME_FILE was meant."""
    return [file for file in FILE_SETTINGS if name.upper().startswith(file.removesuffix("FILE"))]
