"""/metrics answers any Authorization header with 200 or 401, never 500."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.conftest import make_config, serving
from tests.e2e.test_health import ready
from tests.fakebot import FakeBotApi, free_port

TOKEN = "m3trics-T0ken_for.prometheus~only"


async def raw_get(port: int, authorization: bytes) -> bytes:
    """A GET /metrics whose Authorization header holds bytes no client library would send."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Authorization: " + authorization + b"\r\n\r\n"
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.parametrize(
    "authorization",
    [b"Bearer \xff\xfe", "Bearer jätte".encode(), b"Bearer " + TOKEN.encode() + b"\xc3"],
)
async def test_a_header_not_in_ascii_is_refused_not_an_error(
    server: FakeBotApi, db_path: Path, authorization: bytes
) -> None:
    port = free_port()
    env = {"HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(port), "METRICS_TOKEN": TOKEN}
    async with serving(make_config(server, db_path, **env)):
        await ready(f"http://127.0.0.1:{port}")
        status_line = await raw_get(port, authorization)
    assert status_line == b"HTTP/1.1 401 Unauthorized"
