"""Parsing an upload in a process of its own, with a time limit.

The parser is pure Python. Run in the bot's own process, even a linear parse of a 1 MB
upload holds the interpreter for a good part of a second, and readers wait behind it; a
thread would not help (it shares the interpreter lock, and an overrunning thread cannot be
stopped). A child process runs beside the event loop, on another core when there is one,
and is killed when it overruns, so a shape the parser handles badly costs the admin a
refusal instead of costing every reader their answer.

A fresh interpreter per upload costs about 50 ms. Uploads come from admins, a handful a
day, so nothing is kept warm: no pool to size, and nothing held between uploads, whether
the bot restarts or runs as several replicas.
"""

from __future__ import annotations

import asyncio
import logging
import marshal
import os
import sys
from dataclasses import dataclass
from typing import Any

from brief._messages import N_, problem
from brief.files import MAX_BRIEF_BYTES, PASTE_TOO_LARGE, parse_file, too_large
from brief.model import BriefError, ParseResult, Problem
from brief.parser import parse_text
from brief.printer import from_json, to_json

log = logging.getLogger(__name__)

# A brief of any size the bot accepts parses in well under a second; this leaves room for a
# busy machine and still answers the admin before they wonder what happened.
PARSE_TIMEOUT_SECONDS = 10.0
# Uploads parsed at once; more wait their turn, so a burst of uploads cannot take every core.
PARSES_AT_ONCE = 2
# The child's address space: a parse needs a small multiple of the upload's 1 MB; a parse
# that needs far more is refused rather than allowed to push the bot out of memory.
CHILD_MEMORY_BYTES = 1024 * 1024 * 1024
# Settings the child has no use for and must not see.
_SECRET_VARIABLES = ("TELEGRAM_BOT_TOKEN",)

Link = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Upload:
    """What an admin sent: a paste's text with its links, or a file's bytes."""

    data: str | bytes
    as_json: bool = False
    links: tuple[Link, ...] = ()


def parse_upload(upload: Upload) -> ParseResult:
    """Parse an upload in this process. Raises BriefError for anything it cannot accept."""
    if isinstance(upload.data, bytes):
        return parse_file(upload.data, as_json=upload.as_json)
    # A paste is joined from many messages; it is held to the same size as a file.
    if len(upload.data) > MAX_BRIEF_BYTES // 4 and len(upload.data.encode()) > MAX_BRIEF_BYTES:
        raise BriefError([too_large(PASTE_TOO_LARGE)])
    return parse_text(upload.data, upload.links)


# Translators: %(seconds)s is a number of seconds, maybe with decimals ("10", "0.5")
TIMED_OUT = N_(
    "reading this upload took longer than %(seconds)s seconds, so it was stopped and "
    "nothing was stored; check that it is a brief, then send it again"
)
FAILED = N_(
    "this upload could not be read (the reader stopped unexpectedly), and nothing was "
    "stored; check that it is a brief, then send it again"
)


class UploadParser:
    """Parses uploads in child processes, a few at a time, each within a time limit."""

    def __init__(
        self,
        *,
        timeout: float = PARSE_TIMEOUT_SECONDS,
        at_once: int = PARSES_AT_ONCE,
    ) -> None:
        self._timeout = timeout
        # Per process: with several replicas each bounds its own children.
        self._slots = asyncio.Semaphore(at_once)

    async def parse(self, upload: Upload) -> ParseResult:
        """The parsed brief; raises BriefError for a refusal, a time-out or a failed child."""
        request = marshal.dumps((upload.data, upload.as_json, upload.links))
        async with self._slots:
            answer = await self._run_child(request)
        if isinstance(answer, ParseResult):
            return answer
        raise BriefError(answer)

    async def _run_child(self, request: bytes) -> ParseResult | tuple[Problem, ...]:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=_child_environment(),
        )
        try:
            out, err = await asyncio.wait_for(child.communicate(request), self._timeout)
        except TimeoutError:
            log.warning("an upload took over %gs to parse and was refused", self._timeout)
            return (problem(TIMED_OUT, seconds=f"{self._timeout:g}"),)
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()
        return _answer(child.returncode, out, err)


def _answer(returncode: int | None, out: bytes, err: bytes) -> ParseResult | tuple[Problem, ...]:
    """The child's answer: the parsed brief, or the problems that refuse the upload."""
    if returncode == 0:
        try:
            # The child is this module, run by this process on its own request: its output
            # is trusted as much as this code is. marshal, because a brief of thousands of
            # facts comes back in milliseconds, on the event loop.
            return _from_wire(marshal.loads(out))
        except (EOFError, ValueError, TypeError, KeyError, IndexError):
            log.error("the upload parser answered in a form this bot does not read")
    tail = err.decode(errors="replace")[-2000:]
    log.error("the upload parser exited with %s: %s", returncode, tail)
    return (problem(FAILED),)


def _child_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in _SECRET_VARIABLES}


def _serve() -> None:
    """The child: read one Upload on stdin, write the ParseResult or the problems."""
    _limit_memory()
    data, as_json, links = marshal.loads(sys.stdin.buffer.read())  # written by the parent
    answer: ParseResult | tuple[Problem, ...]
    try:
        answer = parse_upload(Upload(data, as_json, tuple(links)))
    except BriefError as error:
        answer = error.problems
    except (MemoryError, RecursionError):
        answer = (problem(FAILED),)
    sys.stdout.buffer.write(marshal.dumps(_to_wire(answer)))


def _to_wire(answer: ParseResult | tuple[Problem, ...]) -> tuple[Any, ...]:
    """Plain values marshal can carry: the brief's JSON form, each problem as its fields, so
    the bot words it in the admin's language."""
    if isinstance(answer, ParseResult):
        return ("ok", to_json(answer.brief), [_problem_wire(w) for w in answer.warnings])
    return ("refused", [_problem_wire(p) for p in answer])


def _problem_wire(said: Problem) -> tuple[Any, ...]:
    return (said.msgid, said.line, said.params, said.plural, said.where)


def _from_wire(wire: tuple[Any, ...]) -> ParseResult | tuple[Problem, ...]:
    if wire[0] == "ok":
        warnings = tuple(Problem(*fields) for fields in wire[2])
        return ParseResult(from_json(wire[1]), warnings)
    return tuple(Problem(*fields) for fields in wire[1])


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not on every platform; the time limit still holds
        return
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))


if __name__ == "__main__":
    _serve()
