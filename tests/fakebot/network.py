"""Addresses for tests of a Bot API that cannot be reached."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now: connecting is refused until someone binds it.

    The operating system may hand it out again, but not while it is still in its pool of
    recently used ports, which is long enough for a test.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
