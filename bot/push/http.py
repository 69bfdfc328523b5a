"""The push's HTTP/1.1 client: JSON POSTs to one Bot API URL over kept-alive connections.

Why not aiohttp, which the rest of the bot speaks through: a push sends one kind of
request to one server thousands of times, and aiohttp's general client (sessions, cookie
jars, header multidicts, tracing, per-request objects) cost about half of all the CPU a
push spends per message, measured with `python -m bench.push`. This client does only
what that one request needs: a request head built once, answers framed by Content-Length
or chunked encoding (or the end of the connection), keep-alive, TLS for https, and a
bounded pool. Anything it cannot read is an HttpError, never a guess.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 4 * 1024 * 1024


class HttpError(Exception):
    """The connection failed or the answer was not HTTP this client can read."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int
    tls: bool
    head: bytes  # the request head up to the Content-Length value

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the Bot API URL must be http:// or https:// with a host")
        tls = parts.scheme == "https"
        port = parts.port or (443 if tls else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/json\r\nContent-Length: "
        ).encode("ascii")
        return cls(parts.hostname, port, tls, head)


class _Connection(asyncio.Protocol):
    """One connection carrying one exchange at a time."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._answer: asyncio.Future[tuple[int, bytes]] | None = None
        self._until_close: int | None = None  # status of an answer that ends with the stream
        self.reusable = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        answer = self._answer
        if answer is None or answer.done():
            return
        if self._until_close is not None:
            answer.set_result((self._until_close, bytes(self._buffer)))
        else:
            answer.set_exception(HttpError("the server closed the connection before answering"))

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._answer is None or self._answer.done():
            self.close()  # bytes nobody asked for: this stream cannot be trusted
            return
        try:
            if self._until_close is not None:
                if len(self._buffer) > MAX_BODY_BYTES:
                    raise HttpError("the answer is too long")
                return
            framed = self._frame()
        except HttpError as error:
            self.reusable = False
            self._answer.set_exception(error)
            self.close()
            return
        if framed is not None:
            self._answer.set_result(framed)

    def exchange(self, request: bytes) -> asyncio.Future[tuple[int, bytes]]:
        assert self._transport is not None
        assert self.reusable
        self._answer = asyncio.get_running_loop().create_future()
        self._buffer.clear()
        self._until_close = None
        self._transport.write(request)
        return self._answer

    def close(self) -> None:
        self.reusable = False
        if self._transport is not None:
            self._transport.close()

    def _frame(self) -> tuple[int, bytes] | None:
        """(status, body) once the whole answer is in the buffer, else None."""
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise HttpError("the answer's head is too long")
            return None
        status, headers, keep_alive = _head(bytes(self._buffer[:end]))
        start = end + 4
        if status in (204, 304):
            body, used = b"", start
        elif b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            unchunked = _unchunk(self._buffer, start)
            if unchunked is None:
                return None
            body, used = unchunked
        elif b"content-length" in headers:
            length = _length(headers[b"content-length"])
            if len(self._buffer) < start + length:
                return None
            body, used = bytes(self._buffer[start : start + length]), start + length
        else:
            # No framing: the body is whatever comes until the server closes.
            self._until_close = status
            del self._buffer[:start]
            if len(self._buffer) > MAX_BODY_BYTES:
                raise HttpError("the answer is too long")
            return None
        if len(self._buffer) > used:
            raise HttpError("the server sent more than one answer")
        self.reusable = keep_alive
        return status, body


def _head(raw: bytes) -> tuple[int, dict[bytes, bytes], bool]:
    """Status, headers (names lower-cased) and whether the connection may be reused."""
    status_line, *lines = raw.split(b"\r\n")
    version, _, rest = status_line.partition(b" ")
    code = rest[:3]
    if version not in (b"HTTP/1.1", b"HTTP/1.0") or not code.isdigit():
        raise HttpError("the answer is not HTTP/1.x")
    headers: dict[bytes, bytes] = {}
    for line in lines:
        name, colon, value = line.partition(b":")
        if not colon:
            raise HttpError("a header line of the answer has no colon")
        headers[name.strip().lower()] = value.strip()
    connection = headers.get(b"connection", b"").lower()
    keep_alive = connection != b"close" and (version == b"HTTP/1.1" or connection == b"keep-alive")
    return int(code), headers, keep_alive


def _length(value: bytes) -> int:
    if not value.isdigit() or int(value) > MAX_BODY_BYTES:
        raise HttpError("the answer's Content-Length is not a length this client accepts")
    return int(value)


def _unchunk(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """The body of a chunked answer and where it ends, or None while it is incomplete."""
    body = bytearray()
    position = start
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size_text = bytes(buffer[position:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HttpError("a chunk of the answer has no valid size") from None
        if size == 0:
            trailer_end = buffer.find(b"\r\n\r\n", line_end)
            if buffer[line_end : line_end + 4] == b"\r\n\r\n":
                return bytes(body), line_end + 4
            return None if trailer_end < 0 else (bytes(body), trailer_end + 4)
        chunk_start = line_end + 2
        if len(buffer) < chunk_start + size + 2:
            return None
        body += buffer[chunk_start : chunk_start + size]
        if len(body) > MAX_BODY_BYTES:
            raise HttpError("the answer is too long")
        position = chunk_start + size + 2


class JsonPoster:
    """POSTs JSON bodies to one URL over at most `connections` kept-alive connections."""

    def __init__(
        self,
        url: str,
        *,
        connections: int,
        timeout: float,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._endpoint = Endpoint.parse(url)
        self._timeout = timeout
        self._tls = (tls_context or ssl.create_default_context()) if self._endpoint.tls else None
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[_Connection] = []

    async def post(self, body: bytes) -> tuple[int, bytes]:
        """The answer's status and body. Raises HttpError, OSError or TimeoutError."""
        request = b"%s%d\r\n\r\n%s" % (self._endpoint.head, len(body), body)
        async with self._slots:
            connection = self._reuse()
            try:
                async with asyncio.timeout(self._timeout):
                    if connection is None:
                        connection = await self._connect()
                    answer = await connection.exchange(request)
            except BaseException:
                if connection is not None:
                    connection.close()  # an exchange cut short leaves the stream unreadable
                raise
            if connection.reusable:
                self._idle.append(connection)
            else:
                connection.close()
            return answer

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _reuse(self) -> _Connection | None:
        """The most recently used idle connection the server has not closed."""
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable:
                return connection
        return None

    async def _connect(self) -> _Connection:
        endpoint = self._endpoint
        _, connection = await asyncio.get_running_loop().create_connection(
            _Connection,
            endpoint.host,
            endpoint.port,
            ssl=self._tls,
            server_hostname=endpoint.host if self._tls else None,
        )
        return connection
