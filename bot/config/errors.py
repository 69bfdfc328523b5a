"""The one error settings raise, and the collector that lets the loader tell every problem
at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")


class ConfigError(ValueError):
    """Missing or malformed settings: one line for each problem, naming the variable, what
    is wrong with it and what to change. A setting's reader raises it for its one problem;
    the loader raises it once with every problem it found (`problems`)."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems: tuple[str, ...] = problems


class Problems:
    """The problems found while reading the settings, so that all are told at once."""

    def __init__(self, found: Iterable[str] = ()) -> None:
        self.found: list[str] = list(found)

    def read(
        self, fallback: _T, reader: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> _T:
        """What `reader` reads; `fallback` after noting its problems, so that the settings
        read after it are checked too."""
        try:
            return reader(*args, **kwargs)
        except ConfigError as error:
            self.found.extend(problem for problem in error.problems if problem not in self.found)
            return fallback

    def raise_any(self) -> None:
        if self.found:
            raise ConfigError(*self.found)


# How much of a malformed value an error quotes: enough to recognise a typo, never a
# whole file pasted into a variable (one line stays one readable line in a log).
QUOTED_CHARS = 40


def quoted(value: str) -> str:
    """`value` as an error line quotes it: repr()'d, cut to QUOTED_CHARS with an ellipsis."""
    if len(value) <= QUOTED_CHARS:
        return repr(value)
    return f"{value[:QUOTED_CHARS]!r}…"
