"""Homeserver: a real Synapse started for the tests as a child process, and what tests ask of
it as its operator would (users registered with the shared secret, a user's rate limit)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import os
import secrets
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

import aiohttp

from tests.fakebot.network import free_port
from tests.synapse.answers import read_answer
from tests.synapse.client import MatrixClient
from tests.synapse.config import GENEROUS, RateLimit, write_config
from tests.synapse.finding import SYNAPSE_PYTHON, WHY_NO_SYNAPSE

SERVER_NAME = "test.local"
# A start takes 1.5 s of CPU: 3 s beside the suite's four workers, 25 s measured on a machine
# eight times over-committed. Past this it is taken for stuck, and says so with its log.
START_WITHIN = 120.0
ADMIN = "/_synapse/admin/v1"
# Run by SYNAPSE_PYTHON in place of `-m synapse.app.homeserver`, which it then runs: Synapse
# dies with the test process that started it, however that ends (a worker killed with
# SIGKILL runs no clean-up), through Linux's PR_SET_PDEATHSIG (prctl option 1). Where there
# is no prctl only the harness's own stop ends it.
_LAUNCHER = """\
import ctypes, os, runpy, signal, sys
parent = int(sys.argv.pop(1))
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)
except AttributeError:
    pass
if os.getppid() != parent:
    sys.exit("the test process that started Synapse has ended")
runpy.run_module("synapse.app.homeserver", run_name="__main__", alter_sys=True)
"""


_ASKING = aiohttp.ClientTimeout(total=5)  # one question while it starts; then the next


class Account(NamedTuple):
    user_id: str
    access_token: str


def _in_memory() -> str | None:
    """/dev/shm where it has room, else the usual temporary directory: Synapse commits to
    SQLite several times an event, each commit waits for the disk, and on a disk shared with
    the suite's other tests that waiting doubled the time a test's messages took (measured:
    20 rooms of 5 messages, 6.6-11.4 s on disk, 4.6-5.1 s in memory)."""
    shm = "/dev/shm"
    try:
        free = os.statvfs(shm)
    except OSError:
        return None
    enough = free.f_bavail * free.f_frsize >= 1 << 30 and os.access(shm, os.W_OK)
    return shm if enough else None


class SynapseFailed(Exception):
    """Synapse would not start; the message ends with what it last logged."""


class Homeserver:
    """`async with Homeserver() as homeserver:` a Synapse of its own on 127.0.0.1, stopped
    (SIGTERM, then SIGKILL) and its directory deleted when the block ends. Tests usually take
    the `homeserver` fixture instead: one per test process, shared (tests/synapse/fixtures.py).

    `rc_message` is the message limit for every user (Synapse's default is 0.2 a second,
    bursts of 10); `limit_messages` sets one user's."""

    def __init__(
        self,
        *,
        rc_message: RateLimit = GENEROUS,
        server_name: str = SERVER_NAME,
        python: str | None = None,
        start_within: float = START_WITHIN,
    ) -> None:
        self.server_name = server_name
        self.rc_message = rc_message
        self.url = ""
        self.started_in = 0.0  # seconds from starting the process to its first answer
        self._python = python or SYNAPSE_PYTHON
        self._start_within = start_within
        self._secret = secrets.token_hex(16)
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._admin: Account | None = None
        self._numbers = itertools.count(1)

    @property
    def directory(self) -> Path:
        assert self._directory is not None, "the homeserver is not running"
        return Path(self._directory.name)

    @property
    def pid(self) -> int:
        assert self._process is not None, "the homeserver is not running"
        return self._process.pid

    async def __aenter__(self) -> Homeserver:
        if self._python is None:
            raise SynapseFailed(WHY_NO_SYNAPSE or "")
        self._directory = tempfile.TemporaryDirectory(prefix="synapse-", dir=_in_memory())
        try:
            await self._start(self._python)
            self._admin = await self.register("harness-admin", admin=True)
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._stop()

    # -- the process -------------------------------------------------------------------------

    async def _start(self, python: str) -> None:
        """Start Synapse and wait for its client API to answer. A port another process took
        between choosing it and Synapse binding it is chosen again."""
        for attempt in itertools.count(1):
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            config = write_config(
                self.directory,
                port=port,
                server_name=self.server_name,
                shared_secret=self._secret,
                rc_message=self.rc_message,
            )
            started = time.monotonic()
            self._spawn(python, config)
            try:
                await self._wait_ready()
            except SynapseFailed as failure:
                await self._stop_process()
                if "Address already in use" not in str(failure) or attempt == 3:
                    raise
            else:
                self.started_in = time.monotonic() - started
                return

    def _spawn(self, python: str, config: Path) -> None:
        output = (self.directory / "synapse.out").open("ab")
        with output:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen(
                [python, "-c", _LAUNCHER, str(os.getpid()), "--config-path", str(config)],
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                # Only what Synapse needs: the test run's own variables (SYNAPSE_CACHE_FACTOR,
                # PYTHONPATH ...) could change how it runs.
                env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
                # A group of its own, so that stopping it reaches anything it started.
                process_group=0,
            )

    async def _wait_ready(self) -> None:
        versions = f"{self.url}/_matrix/client/versions"
        deadline = time.monotonic() + self._start_within
        async with aiohttp.ClientSession() as session:
            while True:
                assert self._process is not None
                if (code := self._process.poll()) is not None:
                    tail = self.log_tail()
                    raise SynapseFailed(f"Synapse exited ({code}) while starting:\n{tail}")
                try:
                    async with session.get(versions, timeout=_ASKING) as answer:
                        if answer.status == 200:
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    raise SynapseFailed(
                        f"Synapse did not answer {versions} within {self._start_within} s:\n"
                        f"{self.log_tail()}"
                    )
                await asyncio.sleep(0.05)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines Synapse printed (synapse.out) and logged (homeserver.log)."""
        tails = []
        for name in ("synapse.out", "homeserver.log"):
            path = self.directory / name
            text = path.read_text(errors="replace") if path.exists() else ""
            tails.append(f"--- {path}:\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(tails)

    async def _stop(self) -> None:
        await self._stop_process()
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

    async def _stop_process(self) -> None:
        """SIGTERM to Synapse's process group; SIGKILL if it has not ended 10 s later."""
        process, self._process = self._process, None
        if process is None:
            return
        for signal_number in (signal.SIGTERM, signal.SIGKILL):
            with suppress(ProcessLookupError):  # the whole group has ended
                os.killpg(process.pid, signal_number)
            with suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(process.wait, 10)
                break
        # Anything left in its group (Synapse starts no process of its own today).
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    # -- as the operator ---------------------------------------------------------------------

    async def register(self, localpart: str, *, admin: bool = False) -> Account:
        """A user registered with the shared secret (`/_synapse/admin/v1/register`), as
        `register_new_matrix_user` does: exactly `localpart`, which must be new."""
        url = f"{self.url}{ADMIN}/register"
        password = secrets.token_urlsafe(12)
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as answer:
                nonce: str = (await read_answer(answer))["nonce"]
            mac = hmac.new(self._secret.encode(), digestmod=hashlib.sha1)
            role = "admin" if admin else "notadmin"
            mac.update("\0".join([nonce, localpart, password, role]).encode())
            body = {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            }
            async with session.post(url, json=body) as answer:
                registered = await read_answer(answer)
        return Account(registered["user_id"], registered["access_token"])

    async def fresh_user(self, name: str = "user", *, admin: bool = False) -> Account:
        """A user no other test has: `name` numbered (`alice-7`), since tests share the
        homeserver and a localpart is taken for good."""
        return await self.register(f"{name.lower()}-{next(self._numbers)}", admin=admin)

    def client(self, account: Account) -> MatrixClient:
        """The account's client (use it in `async with`)."""
        return MatrixClient(self.url, account.user_id, account.access_token)

    @asynccontextmanager
    async def user(self, name: str = "user", *, admin: bool = False) -> AsyncIterator[MatrixClient]:
        """`async with homeserver.user("alice") as alice:` a fresh user, in Element."""
        async with self.client(await self.fresh_user(name, admin=admin)) as client:
            yield client

    async def limit_messages(self, user_id: str, *, per_second: int, burst_count: int) -> None:
        """`user_id`'s events (messages, edits, state) limited to `burst_count` at once and
        `per_second` after, whatever `rc_message` says for everyone else: Synapse's
        override_ratelimit, which takes whole numbers only (for a slower rate, start a
        Homeserver with that `rc_message`). Its other limits stay as they were."""
        if per_second < 1 or burst_count < 1:
            raise ValueError("at least 1 a second, bursts of 1: lift_rate_limits takes them off")
        limit = {"messages_per_second": per_second, "burst_count": burst_count}
        await self._override(user_id, limit)

    async def lift_rate_limits(self, user_id: str) -> None:
        """Every Synapse rate limit off for `user_id` (an override of 0 lifts them all)."""
        await self._override(user_id, {"messages_per_second": 0, "burst_count": 0})

    async def reset_rate_limits(self, user_id: str) -> None:
        """`user_id` back under the limits every user has."""
        await self._admin_request("DELETE", f"/users/{user_id}/override_ratelimit")

    async def _override(self, user_id: str, body: dict[str, int]) -> None:
        await self._admin_request("POST", f"/users/{user_id}/override_ratelimit", body)

    async def _admin_request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        assert self._admin is not None, "the homeserver is not running"
        headers = {"Authorization": f"Bearer {self._admin.access_token}"}
        async with (
            aiohttp.ClientSession(headers=headers) as session,
            session.request(method, f"{self.url}{ADMIN}{path}", json=body) as answer,
        ):
            return await read_answer(answer)
