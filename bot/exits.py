"""What `briefbot run` ends with, whichever app it serves: the exit codes, and the bot's HTTP
server started with a port that cannot be listened on said in one line."""

from __future__ import annotations

import logging
from enum import IntEnum

from bot.config import Config
from bot.web.server import WebServer

log = logging.getLogger(__name__)


class ExitCode(IntEnum):
    STOPPED = 0  # by SIGINT or SIGTERM
    FAILED = 1  # the token was refused, or the start failed another way
    UNUSABLE_SETTING = 2  # a setting, DATABASE_PATH included, cannot be used as it is
    OTHER_INSTANCE = 3  # another instance polls with this token, or serves the SQLite file


async def serve_http(server: WebServer, config: Config) -> bool:
    """Start the HTTP server; False when its port cannot be listened on (said in one line)."""
    try:
        await server.start()
    except OSError as error:
        log.error(
            "the bot cannot listen on HTTP_HOST %s, HTTP_PORT %s (%s): choose a free port",
            config.http_host,
            config.http_port,
            error.strerror or error,
        )
        return False
    return True
