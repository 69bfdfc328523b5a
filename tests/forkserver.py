"""`python -m bot ...` started by forking an interpreter that has already imported briefbot.

Importing briefbot (PTB, aiohttp, asyncpg, jinja2) takes about 0.6 s of CPU, far more than
most commands run; the suite starts the command some 150 times. So each test process keeps
one server that imported it as `python -m bot` does (`bot.cli`, nothing run) and forks it
for each command: the child takes the test's pipes as stdin, stdout and stderr, closes
every other file, takes the command's environment (cleared first), working directory and
arguments, and runs `bot` as `__main__`, ending as any interpreter does (exit code,
atexit, warnings about what was left open). Its pid is the command's: signals reach it.
Forked commands share the server's hash seed, as interpreters given one PYTHONHASHSEED do;
`random` is seeded again in each.

It stands in for a new interpreter only where nothing differs: when the environment holds
no more than PATH, PYTHONPATH (this checkout) and briefbot's own settings, which it reads
when it runs, not at import, and when importing printed nothing (a warning a new
interpreter would print). Otherwise, and where the platform has no pidfd, a command is a
new interpreter as before. Commands the tests start with `subprocess` themselves (the
installed entry point, a `.env` warning at start, `briefbot run` in test_run_command) stay
new interpreters, so starting from nothing stays tested.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import locale
import os
import runpy
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
READY = b"ready\n"


# The server, run as `python -m tests.forkserver SOCKET`.


def serve(path: str) -> None:
    """Import what `python -m bot` imports, then fork a command per connection to `path`
    until stdin (a pipe from the test process) closes."""
    import bot.cli  # noqa: F401  # bot/__main__.py's import

    if threading.active_count() != 1:  # a thread at fork: its locks could be held
        os.write(1, b"unfit: a thread runs\n")
        return
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    os.write(1, READY)
    running: dict[int, tuple[int, socket.socket]] = {}  # pidfd: (pid, its connection)
    server = os.getpid()
    try:
        while True:
            ready, _, _ = select.select([listener.fileno(), 0, *running], [], [])
            if 0 in ready and not os.read(0, 1):
                return  # the test process is gone
            if listener.fileno() in ready:
                _start(listener, running)
            for pidfd in [fd for fd in ready if fd in running]:
                pid, conn = running.pop(pidfd)
                code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
                with contextlib.suppress(OSError):
                    conn.sendall(f"{code}\n".encode())
                conn.close()
                os.close(pidfd)
    finally:
        # A command forked from here ends through these frames too: only the server
        # ends the commands still running.
        for pid, _ in running.values() if os.getpid() == server else ():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _start(listener: socket.socket, running: dict[int, tuple[int, socket.socket]]) -> None:
    conn, _ = listener.accept()
    _, fds, _, _ = socket.recv_fds(conn, 1, 3)
    with conn.makefile("rb") as lines:
        request = json.loads(lines.readline())
    pid = os.fork()
    if pid == 0:
        _become(request, fds, [listener, conn, *(c for _, c in running.values())])
    for fd in fds:
        os.close(fd)
    conn.sendall(f"{pid}\n".encode())
    running[os.pidfd_open(pid)] = (pid, conn)


def _become(request: dict[str, Any], fds: list[int], sockets: list[socket.socket]) -> None:
    """In the child: the command, as a new interpreter would run it. Never returns."""
    for kept in sockets:
        kept.detach()  # closed below; the objects must not close a number reused since
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = os.getcwd()  # as `python -m` puts the working directory first
    sys.argv = ["-m", *request["args"]]
    # SystemExit (or an error) ends the interpreter here, through the server's frames,
    # which catch nothing and, in a command, clean nothing up.
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
    sys.exit(0)


# The client, in the test process.


class _Server:
    def __init__(self, process: subprocess.Popen[bytes], path: str) -> None:
        self.process = process
        self.path = path

    def connect(
        self, args: Sequence[str], env: Mapping[str, str], cwd: Path
    ) -> tuple[socket.socket, int, int, int]:
        """A forked command: its control socket, pid, and the read ends of its stdout and
        stderr."""
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            control.connect(self.path)
            socket.send_fds(control, [b"R"], [0, out_w, err_w])
            request = {"args": list(args), "env": dict(env), "cwd": str(cwd)}
            control.sendall(json.dumps(request).encode() + b"\n")
            pid = int(_line(control))
        finally:
            os.close(out_w)
            os.close(err_w)
        return control, pid, out_r, err_r

    def stop(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self.process.stdin.close()  # the server's signal to end
        self.process.wait(10)
        self.process.stdout.close()
        self.process.stderr.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.rmdir(os.path.dirname(self.path))


def _line(control: socket.socket) -> bytes:
    """One line from the server, read a byte at a time so nothing after it is consumed."""
    line = b""
    while not line.endswith(b"\n"):
        byte = control.recv(1)
        if not byte:
            raise ConnectionError("the fork server closed the connection")
        line += byte
    return line


_server: _Server | None = None
_unfit = False


def server(env: Mapping[str, str]) -> _Server | None:
    """This process's server, started at the first command it may run; None where a new
    interpreter must run the command."""
    global _server, _unfit  # one server per test process
    if _unfit or not _fits(env):
        return None
    if _server is None:
        _server = _started()
        _unfit = _server is None
    return _server


def _fits(env: Mapping[str, str]) -> bool:
    from bot.config import SETTINGS  # what the command reads when it runs

    allowed = {*SETTINGS, *(name.lower() for name in SETTINGS if name.endswith("_PROXY"))}
    rest = dict(env)
    return (
        hasattr(os, "pidfd_open")
        and rest.pop("PATH", None) == os.environ.get("PATH", "")
        and rest.pop("PYTHONPATH", None) == str(ROOT)
        and set(rest) <= allowed
    )


def _started() -> _Server | None:
    path = os.path.join(tempfile.mkdtemp(prefix="briefbot-fork-"), "socket")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.forkserver", path],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    started = _Server(process, path)
    assert process.stdout is not None
    assert process.stderr is not None
    ready = process.stdout.readline() == READY
    # Whatever importing printed (a warning, say) is in the pipe before "ready": a new
    # interpreter would print it to the command's stderr, which a test may read.
    os.set_blocking(process.stderr.fileno(), False)
    if ready and not process.stderr.read():
        return started
    started.stop()
    return None


class ForkedProcess:
    """What the tests use of asyncio.subprocess.Process, for a forked command."""

    def __init__(
        self,
        pid: int,
        stdout: asyncio.StreamReader,
        stderr: asyncio.StreamReader,
        exited: asyncio.Future[int],
    ) -> None:
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        self._exited = exited

    @property
    def returncode(self) -> int | None:
        """As asyncio's: None until the process has ended (whether or not awaited)."""
        return self._exited.result() if self._exited.done() else None

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)

    def send_signal(self, number: int) -> None:
        if self.returncode is not None:
            raise ProcessLookupError(self.pid)
        os.kill(self.pid, number)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


async def start(args: Sequence[str], env: Mapping[str, str], cwd: Path) -> ForkedProcess | None:
    """`python -m bot *args` forked, its stdout and stderr piped; None where the command
    must be a new interpreter (see the module's docstring)."""
    found = server(env)
    if found is None:
        return None
    control, pid, out_r, err_r = found.connect(args, env, cwd)
    stdout, stderr = await _read(out_r), await _read(err_r)
    exited = asyncio.ensure_future(_exit_code(control))
    return ForkedProcess(pid, stdout, stderr, exited)


async def _read(fd: int) -> asyncio.StreamReader:
    stream = asyncio.StreamReader()
    protocol = asyncio.StreamReaderProtocol(stream)
    pipe = os.fdopen(fd, "rb", buffering=0)
    await asyncio.get_running_loop().connect_read_pipe(lambda: protocol, pipe)
    return stream


async def _exit_code(control: socket.socket) -> int:
    control.setblocking(False)
    loop = asyncio.get_running_loop()
    line = b""
    with control:
        while not line.endswith(b"\n"):
            chunk = await loop.sock_recv(control, 64)
            if not chunk:
                raise ConnectionError("the fork server ended before the command")
            line += chunk
    return int(line)


def run(
    args: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str] | None:
    """As `subprocess.run` with capture_output and text: the command run to its end; None
    where it must be a new interpreter."""
    if server(env) is None:
        return None
    return asyncio.run(_run(args, env, cwd, timeout))


async def _run(
    args: Sequence[str], env: Mapping[str, str], cwd: Path, seconds: float
) -> subprocess.CompletedProcess[str]:
    process = await start(args, env, cwd)
    assert process is not None
    command = [sys.executable, "-m", "bot", *args]  # what it stands in for
    ended = asyncio.gather(process.stdout.read(), process.stderr.read(), process.wait())
    try:
        out, err, code = await asyncio.wait_for(asyncio.shield(ended), seconds)
    except TimeoutError:
        process.kill()
        out, err, _ = await ended
        raise subprocess.TimeoutExpired(command, seconds, out, err) from None
    return subprocess.CompletedProcess(command, code, _text(out), _text(err))


def _text(data: bytes) -> str:
    """Decoded as subprocess's text mode decodes: the locale's encoding, universal newlines."""
    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def stop() -> None:
    """At the end of a test process: its server, if it started one."""
    global _server
    if _server is not None:
        _server.stop()
        _server = None


if __name__ == "__main__":
    serve(sys.argv[1])
