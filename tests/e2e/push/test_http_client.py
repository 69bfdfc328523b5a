"""The push's HTTP client against a scripted server speaking raw HTTP/1.x on 127.0.0.1.

Each test scripts the answers byte for byte, so framing, keep-alive and failures are
exercised as a real server or proxy might produce them.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.push.http import HttpError, JsonPoster

TLS = Path(__file__).parents[2] / "data" / "tls"  # a self-signed certificate for localhost

# What the server does with one request: the byte pieces to send, then whether to close.
Script = Callable[[bytes], tuple[list[bytes], bool]]


def answer(body: bytes, *extra: str, status: str = "200 OK") -> bytes:
    head = "".join(f"{line}\r\n" for line in (f"HTTP/1.1 {status}", *extra))
    return head.encode() + b"Content-Length: %d\r\n\r\n" % len(body) + body


class ScriptedServer:
    """Reads one request at a time (head and Content-Length body) and plays the script."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.open_now = 0
        self.most_open = 0
        self.bodies: list[bytes] = []
        self.posters: list[JsonPoster] = []  # closed with the server, whatever the test did
        self.none_open = asyncio.Event()
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self, tls: ssl.SSLContext | None = None) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=tls)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_now += 1
        self.none_open.clear()
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                body = await reader.readexactly(length)
                self.bodies.append(body)
                pieces, close = self.script(body)
                for piece in pieces:
                    writer.write(piece)
                    await writer.drain()
                    await asyncio.sleep(0)
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_now -= 1
            if not self.open_now:
                self.none_open.set()
            writer.close()


@pytest.fixture
async def served() -> AsyncIterator[Callable[[Script], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def serve(script: Script) -> ScriptedServer:
        server = ScriptedServer(script)
        servers.append(server)
        return server

    yield serve
    for server in servers:
        for poster in server.posters:
            await poster.close()
        await server.stop()


async def closed_by_client(server: ScriptedServer) -> None:
    """Waits until the server has no connection open: the client closed its side."""
    await asyncio.wait_for(server.none_open.wait(), timeout=2)


async def poster_for(server: ScriptedServer, **options: float) -> JsonPoster:
    await server.start()
    poster = JsonPoster(
        f"http://127.0.0.1:{server.port}/bot123:abc/sendMessage",
        connections=int(options.get("connections", 4)),
        timeout=options.get("timeout", 5.0),
    )
    server.posters.append(poster)
    return poster


async def test_answers_come_back_whole_over_one_kept_alive_connection(
    served: Callable[[Script], ScriptedServer],
) -> None:
    server = served(lambda body: ([answer(b'{"ok":true,"echo":' + body + b"}")], False))
    poster = await poster_for(server)
    for n in range(5):
        status, body = await poster.post(b'{"n":%d}' % n)
        assert (status, body) == (200, b'{"ok":true,"echo":{"n":%d}}' % n)
    assert server.connections == 1


async def test_answers_split_anywhere_and_chunked_are_reassembled(
    served: Callable[[Script], ScriptedServer],
) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )

    def byte_by_byte(body: bytes) -> tuple[list[bytes], bool]:
        raw = chunked if body == b"chunked" else answer(b"plain body")
        return [raw[i : i + 1] for i in range(len(raw))], False

    server = served(byte_by_byte)
    poster = await poster_for(server)
    assert await poster.post(b"chunked") == (200, b"hello, world")
    assert await poster.post(b"plain") == (200, b"plain body")
    assert await poster.post(b"chunked") == (200, b"hello, world")
    assert server.connections == 1


async def test_a_closing_answer_is_read_and_the_next_request_opens_a_connection(
    served: Callable[[Script], ScriptedServer],
) -> None:
    def script(body: bytes) -> tuple[list[bytes], bool]:
        if body == b"until-close":  # no length: the body ends with the connection
            return [b"HTTP/1.1 502 Bad Gateway\r\n\r\n", b"upstream gone"], True
        return [answer(b"bye", "Connection: close")], False  # the client must close it

    server = served(script)
    poster = await poster_for(server)
    assert await poster.post(b"first") == (200, b"bye")
    await closed_by_client(server)
    assert await poster.post(b"until-close") == (502, b"upstream gone")
    assert await poster.post(b"third") == (200, b"bye")
    assert server.connections == 3


async def test_a_connection_the_server_dropped_while_idle_is_not_reused(
    served: Callable[[Script], ScriptedServer],
) -> None:
    server = served(lambda body: ([answer(b"ok")], True))  # kept alive, then closed
    poster = await poster_for(server)
    assert await poster.post(b"1") == (200, b"ok")
    await asyncio.sleep(0.05)  # the close arrives while the connection is idle
    assert await poster.post(b"2") == (200, b"ok")
    assert server.connections == 2


async def test_a_cut_answer_fails_and_the_next_request_succeeds(
    served: Callable[[Script], ScriptedServer],
) -> None:
    def script(body: bytes) -> tuple[list[bytes], bool]:
        if body == b"cut":
            return [answer(b"0123456789")[:-4]], True
        return [answer(b"fine")], False

    server = served(script)
    poster = await poster_for(server)
    with pytest.raises(HttpError, match="closed the connection"):
        await poster.post(b"cut")
    assert await poster.post(b"next") == (200, b"fine")


@pytest.mark.parametrize(
    "raw",
    [
        b"SMTP/1.0 220 hello\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        answer(b"one") + answer(b"two"),
    ],
)
async def test_an_answer_it_cannot_read_is_an_error_and_the_connection_is_dropped(
    served: Callable[[Script], ScriptedServer], raw: bytes
) -> None:
    server = served(lambda body: ([raw] if body == b"bad" else [answer(b"good")], False))
    poster = await poster_for(server)
    with pytest.raises(HttpError):
        await poster.post(b"bad")
    assert await poster.post(b"after") == (200, b"good")
    assert server.connections == 2


async def test_a_server_that_never_answers_times_out(
    served: Callable[[Script], ScriptedServer],
) -> None:
    server = served(lambda body: ([] if body == b"silence" else [answer(b"late")], False))
    poster = await poster_for(server, timeout=0.2)
    with pytest.raises(TimeoutError):
        await poster.post(b"silence")
    await closed_by_client(server)
    # The silent connection is closed, not handed to the next request.
    assert await poster.post(b"again") == (200, b"late")
    assert server.connections == 2


async def test_at_most_the_given_number_of_connections_are_open(
    served: Callable[[Script], ScriptedServer],
) -> None:
    server = served(lambda body: ([answer(body)], False))
    poster = await poster_for(server, connections=3)
    answers = await asyncio.gather(*(poster.post(b"%d" % n) for n in range(30)))
    assert sorted(body for _, body in answers) == sorted(b"%d" % n for n in range(30))
    assert server.most_open == 3


async def test_https_verifies_the_server_and_speaks_through_tls(
    served: Callable[[Script], ScriptedServer],
) -> None:
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(TLS / "localhost.crt", TLS / "localhost.key")
    server = served(lambda body: ([answer(b"secret " + body)], False))
    await server.start(tls=server_tls)
    url = f"https://localhost:{server.port}/bot123:abc/sendMessage"

    untrusting = JsonPoster(url, connections=1, timeout=5)
    with pytest.raises(ssl.SSLCertVerificationError):
        await untrusting.post(b"x")

    trusting = JsonPoster(
        url,
        connections=1,
        timeout=5,
        tls_context=ssl.create_default_context(cafile=TLS / "localhost.crt"),
    )
    server.posters.append(trusting)
    assert await trusting.post(b"x") == (200, b"secret x")


def test_only_http_and_https_urls_are_taken() -> None:
    with pytest.raises(ValueError, match="http"):
        JsonPoster("ftp://example.org/bot1/sendMessage", connections=1, timeout=1)
