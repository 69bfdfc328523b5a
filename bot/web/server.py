"""The bot's HTTP server: an aiohttp site serving the routes the composition root gives it,
with the largest request body they take (the webhook's: its receiver says how large)."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

SHUTDOWN_TIMEOUT = 5.0  # every request is answered at once; longer means a stuck client


class WebServer:
    def __init__(
        self, host: str, port: int, routes: Sequence[web.RouteDef], *, max_body: int
    ) -> None:
        self.host = host
        self.port = port
        self._app = web.Application(client_max_size=max_body)
        self._app.add_routes(routes)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on host:port; OSError when the port is taken or not ours to use."""
        runner = web.AppRunner(
            self._app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
