"""A real SOCKS server on 127.0.0.1 (pproxy, run as a child process), for tests that the bot's
requests go through one.

pproxy logs a line for each connection it accepts, with the destination as the client named
it (a host name for socks5h, an address for socks5), before it connects anywhere: a request
that went through the proxy is on record before the server behind it sees a byte of it.
With `route_to`, every connection is carried to that one address, whatever the client
asked for: the bot can then be given a Bot API URL where nothing listens, and reaches the
local Bot API server only through the proxy, as it reaches Telegram where it is blocked.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

_SERVING = re.compile(r"^Serving on \S+ 127\.0\.0\.1:(\d+) by ")
# "socks5 127.0.0.1:41868 -> localhost:8081", or with a route
# "socks5 127.0.0.1:41868 -> tunnel 127.0.0.1:9000 -> localhost:8081".
_TUNNEL = re.compile(r"^(socks[45]) \S+ (?:-> tunnel \S+ )?-> (\S+)$")
_REFUSED = re.compile(r"^Unauthorized SOCKS")


@dataclass(frozen=True)
class Tunnel:
    protocol: str  # "socks5" or "socks4"
    destination: str  # host:port as the client named it


class SocksProxy:
    """The proxy's address and records; run one with `socks_proxy()`."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.tunnels: list[Tunnel] = []  # every connection accepted and carried on
        self.refused = 0  # connections refused for their credentials (or their lack)
        self.other: list[str] = []  # any other line pproxy printed

    def url(self, scheme: str, credentials: str = "") -> str:
        """e.g. `url("socks5h", "ops:s3cret")`: socks5h://ops:s3cret@127.0.0.1:port."""
        return f"{scheme}://{credentials}{'@' if credentials else ''}127.0.0.1:{self.port}"

    def record(self, line: str) -> None:
        """One line of pproxy's log."""
        if tunnel := _TUNNEL.match(line):
            self.tunnels.append(Tunnel(tunnel[1], tunnel[2]))
        elif _REFUSED.match(line):
            self.refused += 1
        else:
            self.other.append(line)


@asynccontextmanager
async def socks_proxy(
    *, protocol: str = "socks5", user: str | None = None, password: str = "", route_to: str = ""
) -> AsyncIterator[SocksProxy]:
    """`async with socks_proxy(user="ops", password="s3cret") as proxy:`, then
    `ALL_PROXY=proxy.url("socks5", "ops:s3cret")`; `proxy.tunnels` is complete once the
    block ends.

    With `user`, every connection must carry the user name and password (pproxy's window in
    which an address that has authenticated once may connect without them is closed).
    """
    credentials = f"#{user}:{password}" if user is not None else ""
    command = [sys.executable, "-u", "-m", "pproxy", "-v", "--auth", "0"]
    command += ["-l", f"{protocol}://127.0.0.1:0{credentials}"]
    command += ["-r", f"tunnel://{route_to}"] if route_to else []
    child = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    assert child.stdout is not None
    try:
        proxy = SocksProxy(await asyncio.wait_for(_port(child.stdout), 30))
        reading = asyncio.ensure_future(_read(child.stdout, proxy))
        try:
            yield proxy
        finally:
            child.terminate()
            # To its end: once the block is over, nothing the proxy accepted is missing.
            await reading
    finally:
        if child.returncode is None:
            child.kill()
        await child.wait()


async def _port(output: asyncio.StreamReader) -> int:
    """The port it listens on, from its first lines (it may first say which event loop)."""
    while line := (await output.readline()).decode():
        if serving := _SERVING.match(line):
            return int(serving[1])
    raise AssertionError("pproxy ended without serving")


async def _read(output: asyncio.StreamReader, proxy: SocksProxy) -> None:
    while line := await output.readline():
        proxy.record(line.decode().strip())
