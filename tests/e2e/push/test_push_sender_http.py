"""The push's sender over HTTP, against a scripted server speaking raw HTTP/1.x on 127.0.0.1.

Each test scripts the answers byte for byte, so keep-alive, failures, TLS and proxies are
exercised as a real server or proxy might produce them, and every failure must come back
as one of the outcomes the push engine acts on.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.core.push.sending import Transient
from bot.telegram.push_sender import Sender

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
        self.heads: list[bytes] = []
        self.bodies: list[bytes] = []
        self.senders: list[Sender] = []  # closed with the server, whatever the test did
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
                self.heads.append(head)
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
        for sender in server.senders:
            await sender.close()
        await server.stop()


async def closed_by_client(server: ScriptedServer) -> None:
    """Waits until the server has no connection open: the client closed its side."""
    await asyncio.wait_for(server.none_open.wait(), timeout=2)


def sent(message_id: int) -> bytes:
    return answer(b'{"ok":true,"result":{"message_id":%d,"chat":{"id":1}}}' % message_id)


def chat_of(body: bytes) -> int:
    return int(body.split(b'"chat_id":')[1].split(b",")[0])


async def sender_for(
    server: ScriptedServer,
    *,
    connections: int = 4,
    timeout: float = 5.0,  # noqa: ASYNC109 (the sender's own, not this call's)
    url: str | None = None,
    proxy: str | None = None,
    tls: ssl.SSLContext | None = None,
) -> Sender:
    if not server.port:
        await server.start()
    base = url or f"http://127.0.0.1:{server.port}/bot"
    sender = Sender(
        base, "123:abc", paid=False, connections=connections, timeout=timeout, proxy=proxy, tls=tls
    )
    server.senders.append(sender)
    return sender


async def test_sends_go_over_one_kept_alive_connection_with_a_compact_body(
    served: Callable[[Script], ScriptedServer],
) -> None:
    server = served(lambda body: ([sent(chat_of(body) + 100)], False))
    sender = await sender_for(server)
    for chat in range(1, 6):
        assert await sender.send(chat, "<b>Hi</b>", None) == chat + 100
    assert server.connections == 1
    assert server.bodies[0] == b'{"chat_id":1,"text":"<b>Hi</b>","parse_mode":"HTML"}'
    assert server.heads[0].startswith(b"POST /bot123:abc/sendMessage HTTP/1.1\r\n")


async def test_a_cut_answer_is_transient_and_the_next_send_succeeds(
    served: Callable[[Script], ScriptedServer],
) -> None:
    def script(body: bytes) -> tuple[list[bytes], bool]:
        if chat_of(body) == 1:
            return [sent(1)[:-4]], True
        return [sent(2)], False

    server = served(script)
    sender = await sender_for(server)
    with pytest.raises(Transient, match="network"):
        await sender.send(1, "x", None)
    assert await sender.send(2, "x", None) == 2


async def test_an_answer_that_is_not_http_is_transient(
    served: Callable[[Script], ScriptedServer],
) -> None:
    server = served(lambda body: ([b"SMTP/1.0 220 hello\r\n\r\n"], True))
    sender = await sender_for(server)
    with pytest.raises(Transient, match="network"):
        await sender.send(1, "x", None)


async def test_a_server_that_never_answers_is_transient_and_its_connection_dropped(
    served: Callable[[Script], ScriptedServer],
) -> None:
    server = served(lambda body: ([] if chat_of(body) == 1 else [sent(2)], False))
    sender = await sender_for(server, timeout=0.2)
    with pytest.raises(Transient, match="no answer in time"):
        await sender.send(1, "x", None)
    await closed_by_client(server)
    assert await sender.send(2, "x", None) == 2
    assert server.connections == 2


async def test_at_most_the_given_number_of_connections_are_open(
    served: Callable[[Script], ScriptedServer],
) -> None:
    server = served(lambda body: ([sent(chat_of(body))], False))
    sender = await sender_for(server, connections=3)
    ids = await asyncio.gather(*(sender.send(chat, "x", None) for chat in range(1, 31)))
    assert sorted(ids) == list(range(1, 31))
    assert server.most_open == 3


async def test_https_verifies_the_server(served: Callable[[Script], ScriptedServer]) -> None:
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(TLS / "localhost.crt", TLS / "localhost.key")
    server = served(lambda body: ([sent(7)], False))
    await server.start(tls=server_tls)
    url = f"https://localhost:{server.port}/bot"
    untrusting = await sender_for(server, url=url)
    with pytest.raises(Transient, match="network"):
        await untrusting.send(1, "x", None)
    trusted = ssl.create_default_context(cafile=TLS / "localhost.crt")
    trusting = await sender_for(server, url=url, tls=trusted)
    assert await trusting.send(1, "x", None) == 7


async def test_sends_go_through_the_proxy_when_one_is_set(
    served: Callable[[Script], ScriptedServer],
) -> None:
    # The scripted server plays the proxy: a request for another host, in absolute form.
    proxy = served(lambda body: ([sent(9)], False))
    await proxy.start()
    sender = await sender_for(
        proxy, url="http://api.telegram.invalid/bot", proxy=f"http://127.0.0.1:{proxy.port}"
    )
    assert await sender.send(1, "x", None) == 9
    assert proxy.heads[0].startswith(
        b"POST http://api.telegram.invalid/bot123:abc/sendMessage HTTP/1.1\r\n"
    )
