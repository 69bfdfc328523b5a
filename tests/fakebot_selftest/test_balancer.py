"""The round-robin balancer the replica tests put in front of `briefbot run` processes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from tests.fakebot import free_port
from tests.fakebot.balancer import RoundRobin, Routed

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@contextlib.asynccontextmanager
async def upstream(name: str) -> AsyncIterator[str]:
    """A replica that answers 201 with its name, the secret header and the body it got."""

    async def echo(request: web.Request) -> web.Response:
        secret = request.headers.get(SECRET_HEADER)
        return web.Response(status=201, text=f"{name} {secret} {await request.text()}")

    app = web.Application()
    app.router.add_post("/telegram", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/telegram"
    finally:
        await runner.cleanup()


async def post(url: str, body: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers={SECRET_HEADER: "s3"}) as answer,
    ):
        return answer.status, await answer.text()


async def test_posts_go_to_each_replica_in_turn_with_headers_and_body() -> None:
    async with upstream("a") as a, upstream("b") as b, RoundRobin(free_port(), [a, b]) as lb:
        answers = [await post(lb.url, f'{{"update_id": {n}}}') for n in range(3)]
        assert await post(lb.url, "not json") == (201, "b s3 not json")
    assert answers == [
        (201, 'a s3 {"update_id": 0}'),
        (201, 'b s3 {"update_id": 1}'),
        (201, 'a s3 {"update_id": 2}'),
    ]
    assert lb.routed == [
        Routed(0, 0, 201),
        Routed(1, 1, 201),
        Routed(2, 0, 201),
        Routed(None, 1, 201),
    ]
    assert lb.replicas_of(2) == [0]


async def test_a_replica_that_cannot_be_reached_is_a_502() -> None:
    down = f"http://127.0.0.1:{free_port()}/telegram"
    async with upstream("a") as a, RoundRobin(free_port(), [down, a]) as lb:
        assert (await post(lb.url, '{"update_id": 5}'))[0] == 502
        assert await post(lb.url, '{"update_id": 5}') == (201, 'a s3 {"update_id": 5}')
    assert lb.routed == [Routed(5, 0, None), Routed(5, 1, 201)]
    assert lb.replicas_of(5) == [0, 1]
