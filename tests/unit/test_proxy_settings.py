"""Proxy URLs in the settings: HTTP and SOCKS ones accepted, anything else refused in one
line that names the variable and never quotes a password (or a user name)."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_config

TOKEN = "123456:ABC-def_ghi"


def proxy(name: str, value: str) -> str | None:
    return load_config({"TELEGRAM_BOT_TOKEN": TOKEN, name: value}, dotenv=None).proxy


@pytest.mark.parametrize(
    "url",
    [
        "http://proxy.example:3128",
        "https://u:pw@proxy.example:3128/",
        "socks5://127.0.0.1:1080",
        "socks5h://ops:s3c%40ret%2F@proxy.example:1080",
        "socks5h://proxy.example",  # curl's port, 1080
        "SOCKS5H://proxy.example:9050",
        "socks5://[::1]:1080",
        "socks4://proxy.example:1080",
        "socks4a://ops@proxy.example:1080",  # SOCKS4's user id
    ],
)
def test_http_and_socks_proxies_are_accepted(url: str) -> None:
    assert proxy("ALL_PROXY", url) == url
    assert proxy("HTTPS_PROXY", url) == url


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("socks://proxy.example:1080", "got socks scheme"),
        ("ftp://u:pw@proxy.example:21", "got ftp scheme"),
        ("u:pw@proxy.example:3128", "got no scheme"),
        ("proxy.example:3128", "got no scheme"),
        ("socks5://", "must be a proxy's address alone"),
        ("socks5://u:pw@:1080", "must be a proxy's address alone"),
        ("socks5h://u:pw@proxy.example:1080/tor", "must be a proxy's address alone"),
        ("socks5://u:pw@proxy.example:1080?x=1", "must be a proxy's address alone"),
        ("socks5://u:pw@pro xy.example:1080", "must be a proxy's address alone"),
        ("socks5://u:pw@proxy.example:99999", "has a port that is not a whole number"),
        ("socks5://u:pw@proxy.example:1o80", "has a port that is not a whole number"),
        ("socks4://u:pw@proxy.example:1080", "a SOCKS4 proxy takes a user name only"),
    ],
)
@pytest.mark.parametrize("name", ["ALL_PROXY", "HTTPS_PROXY"])
def test_a_proxy_url_the_bot_cannot_use_is_refused_naming_the_variable(
    name: str, url: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        proxy(name, url)
    message = str(refused.value)
    assert f"{name} " in message or f"{name}:" in message
    assert problem in message
    assert "pw" not in message
    assert "u:" not in message


def test_the_schemes_accepted_are_named() -> None:
    with pytest.raises(ConfigError, match="got socks scheme") as refused:
        proxy("ALL_PROXY", "socks://proxy.example:1080")
    assert "http://, https://, socks5://, socks5h://, socks4://, socks4a://" in str(refused.value)


def test_no_proxy_bypasses_a_socks_proxy_too() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "ALL_PROXY": "socks5h://proxy.example:1080"}
    assert load_config({**env, "NO_PROXY": "api.telegram.org"}, dotenv=None).proxy is None
    assert load_config({**env, "NO_PROXY": "example.org"}, dotenv=None).proxy == env["ALL_PROXY"]
