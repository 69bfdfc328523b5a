"""A strict local fake of the Telegram Bot API server, for end-to-end tests."""

from tests.fakebot.errors import ApiError
from tests.fakebot.inline import InlineMessage, InlineMode
from tests.fakebot.limits import RateLimits
from tests.fakebot.model import ApiCall, FakeChat, FakeFile, FakeUser, SentMessage
from tests.fakebot.network import free_port
from tests.fakebot.proxy import Forwarded, ForwardProxy, forward_proxy
from tests.fakebot.server import FakeBotApi
from tests.fakebot.socks import SocksProxy, Tunnel, socks_proxy

__all__ = [
    "ApiCall",
    "ApiError",
    "FakeBotApi",
    "FakeChat",
    "FakeFile",
    "FakeUser",
    "ForwardProxy",
    "Forwarded",
    "InlineMessage",
    "InlineMode",
    "RateLimits",
    "SentMessage",
    "SocksProxy",
    "Tunnel",
    "forward_proxy",
    "free_port",
    "socks_proxy",
]
