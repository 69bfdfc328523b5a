"""A strict local fake of the Telegram Bot API server, for end-to-end tests."""

from tests.fakebot.errors import ApiError
from tests.fakebot.inline import InlineMessage, InlineMode
from tests.fakebot.limits import RateLimits
from tests.fakebot.model import ApiCall, FakeChat, FakeFile, FakeUser, SentMessage
from tests.fakebot.network import free_port
from tests.fakebot.ogg import OpusInfo, check_ogg_opus, ogg_opus
from tests.fakebot.proxy import Forwarded, ForwardProxy, forward_proxy
from tests.fakebot.server import FakeBotApi
from tests.fakebot.socks import SocksProxy, Tunnel, socks_proxy
from tests.fakebot.voice import SentVoice

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
    "OpusInfo",
    "RateLimits",
    "SentMessage",
    "SentVoice",
    "SocksProxy",
    "Tunnel",
    "check_ogg_opus",
    "forward_proxy",
    "free_port",
    "ogg_opus",
    "socks_proxy",
]
