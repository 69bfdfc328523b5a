"""A round-robin load balancer in front of several webhook replicas, as nginx would be.

Each POST goes to the next replica in turn, with its headers (the secret token among them)
and body; the replica's answer, status and body, is the balancer's. A replica that cannot
be reached is answered 502, as nginx does, so Telegram (the fake) delivers the update again.
Every forwarded update is recorded with the replica that took it, so a test can show that
consecutive updates really landed on different replicas.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from types import TracebackType

import aiohttp
from aiohttp import web

# Hop-by-hop and per-connection headers a proxy sets itself rather than passes on.
_NOT_FORWARDED = frozenset({"host", "content-length", "connection", "transfer-encoding"})


@dataclass(frozen=True)
class Routed:
    """One POST forwarded: the update's id (None: not an update) and the replica's index."""

    update_id: int | None
    replica: int
    status: int | None  # None: not answered (yet, or the replica could not be reached)


class RoundRobin:
    """`async with RoundRobin(port, [url, ...]) as balancer:` listens on 127.0.0.1:port."""

    def __init__(self, port: int, upstreams: list[str]) -> None:
        self.port = port
        self.upstreams = upstreams
        self.routed: list[Routed] = []
        self._next = itertools.cycle(range(len(upstreams)))
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    def replicas_of(self, update_id: int) -> list[int]:
        """The replicas each delivery of `update_id` went to, in order."""
        return [r.replica for r in self.routed if r.update_id == update_id]

    async def __aenter__(self) -> RoundRobin:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        replica = next(self._next)
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        # Recorded in the order of arrival (the order of turns), the status once answered.
        index, update_id = len(self.routed), _update_id(body)
        self.routed.append(Routed(update_id, replica, None))
        try:
            async with self._session.post(
                self.upstreams[replica], data=body, headers=headers
            ) as answer:
                status = answer.status
                text = await answer.read()
                content_type = answer.headers.get("Content-Type")
        except aiohttp.ClientError:
            return web.Response(status=502, text="bad gateway\n")
        self.routed[index] = Routed(update_id, replica, status)
        response = web.Response(status=status, body=text)
        if content_type:
            response.headers["Content-Type"] = content_type
        return response


def _update_id(body: bytes) -> int | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    found = data.get("update_id") if isinstance(data, dict) else None
    return found if isinstance(found, int) else None
