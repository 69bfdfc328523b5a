"""`briefbot run` as a process of its own, with everything it prints kept for inspection."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

from tests import forkserver
from tests.conftest import DATA
from tests.forkserver import ForkedProcess
from tests.waiting import eventually


class BotProcess:
    """Start with `await BotProcess.start(env, cwd)`; `finish()` stops it and returns its code."""

    def __init__(self, process: asyncio.subprocess.Process | ForkedProcess) -> None:
        self.process = process
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        assert process.stdout is not None
        assert process.stderr is not None
        self._readers = [
            asyncio.ensure_future(_collect(process.stdout, self.stdout)),
            asyncio.ensure_future(_collect(process.stderr, self.stderr)),
        ]

    @classmethod
    async def start(cls, env: dict[str, str], cwd: Path, *args: str) -> BotProcess:
        """`python -m bot *args` (`run` by default) with only `env`, from the fork server
        where it can stand in for a new interpreter (tests/forkserver.py)."""
        command = args or ("run",)
        # AUDIO: off unless the test asks (tests/conftest.py says why).
        audio = {"AUDIO": os.environ.get("AUDIO", "off")}
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(DATA.parents[1]),
            **audio,
            **env,
        }
        forked = await forkserver.start(command, env, cwd)
        if forked is not None:
            return cls(forked)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *command,
            env=env,
            cwd=cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    @property
    def output(self) -> str:
        """Everything printed so far, stdout then stderr."""
        return "".join(self.stdout) + "".join(self.stderr)

    async def wait_line(self, pattern: str, count: int = 1, timeout: float = 30) -> list[str]:  # noqa: ASYNC109
        """Until `count` lines of stderr match `pattern`; returns them."""

        def found() -> list[str]:
            lines = [line for line in self.stderr if re.search(pattern, line)]
            if len(lines) < count and self.process.returncode is not None:
                raise AssertionError(f"exited without {count} line(s) matching {pattern!r}")
            return lines if len(lines) >= count else []

        return await eventually(
            found,
            f"{count} line(s) matching {pattern!r}",
            within=timeout,
            detail=lambda: self.output,
        )

    async def finish(self, signal_number: int | None = signal.SIGINT) -> int:
        """Signal the process (unless it ended by itself), wait for it; its exit code."""
        if self.process.returncode is None and signal_number is not None:
            self.process.send_signal(signal_number)
        code = await asyncio.wait_for(self.process.wait(), 30)
        await asyncio.gather(*self._readers)
        return code


async def _collect(stream: asyncio.StreamReader, into: list[str]) -> None:
    async for line in stream:
        into.append(line.decode(errors="replace"))
