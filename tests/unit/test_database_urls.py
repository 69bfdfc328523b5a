"""A database URL as it is printed: no password, however the URL is written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.errors import UnusableDatabaseError
from storage.postgres.db import connect
from storage.postgres.urls import redacted, scrubbed

PASSWORD = "Zq7-s3cret"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"postgresql://bot:{PASSWORD}@db:5432/bot", "postgresql://bot:***@db:5432/bot"),
        (f"postgres://bot:{PASSWORD}@db/bot", "postgres://bot:***@db/bot"),
        (f"postgresql://bot@db/bot?password={PASSWORD}", "postgresql://bot@db/bot?password=***"),
        (
            f"postgresql://bot@db/bot?sslmode=require&PassWord={PASSWORD}&connect_timeout=5",
            "postgresql://bot@db/bot?sslmode=require&PassWord=***&connect_timeout=5",
        ),
        (f"postgresql://db/bot?SSLPASSWORD={PASSWORD}", "postgresql://db/bot?SSLPASSWORD=***"),
        (f"postgresql://db/bot?pass%77ord={PASSWORD}", "postgresql://db/bot?pass%77ord=***"),
        (
            f"postgresql://bot:{PASSWORD}@h1:5432,h2:5433/bot?target_session_attrs=read-write",
            "postgresql://bot:***@h1:5432,h2:5433/bot?target_session_attrs=read-write",
        ),
        (f"postgresql://bot:{PASSWORD}@[::1]:5432/bot", "postgresql://bot:***@[::1]:5432/bot"),
        (
            f"postgresql://bot:{PASSWORD}@[2001:db8::7]/bot",
            "postgresql://bot:***@[2001:db8::7]/bot",
        ),
        # Special characters the operator did not percent-encode: all of it hidden.
        ("postgresql://bot:p#ss/w@rd?x@db/bot", "postgresql://bot:***@db/bot"),
        ("postgresql://bot:a://b@db/bot", "postgresql://bot:***@db/bot"),
        ("postgresql://bot@db/bot", "postgresql://bot@db/bot"),
        ("postgresql://db/bot?password=", "postgresql://db/bot?password="),
        ("", ""),
        ("not a url", "not a url"),
        (f"bot:{PASSWORD}@db", "bot:***@db"),
    ],
)
def test_every_way_of_giving_a_password_is_hidden(url: str, shown: str) -> None:
    assert redacted(url) == shown


@given(st.text())
def test_any_text_at_all_is_redacted_without_raising(text: str) -> None:
    redacted(text)


@given(
    st.text(min_size=1).filter(lambda p: "\x00" not in p),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-:,[]", min_size=1),
)
def test_a_password_in_the_user_info_never_shows(password: str, hosts: str) -> None:
    assert redacted(f"postgresql://bot:{password}@{hosts}/db") == f"postgresql://bot:***@{hosts}/db"


@given(st.text(min_size=1).filter(lambda p: not set(p) & set("&;#")))
def test_a_password_in_the_query_never_shows(password: str) -> None:
    url = f"postgresql://bot@db/bot?sslmode=require&password={password}"
    assert redacted(url) == "postgresql://bot@db/bot?sslmode=require&password=***"


def test_an_error_quoting_a_piece_of_the_password_hides_it() -> None:
    # asyncpg reads `bot:SECR#ET@db` as host `bot`, port `SECR`, and says so.
    url = "postgresql://bot:SECR#ET@db:5432/bot"
    error = "invalid literal for int() with base 10: 'SECR'"
    assert scrubbed(error, url) == "invalid literal for int() with base 10: ***"
    assert scrubbed("port 'abc' is wrong", url) == "port 'abc' is wrong"


@pytest.mark.parametrize(
    ("url", "error"),
    [
        # asyncpg cuts at the `?`: the query field it quotes starts inside the password
        # and runs on into the host, so it is inside no password, yet shares a run of it.
        (
            "postgresql://briefbot:8812?Tr0ub4dor3@127.0.0.1:9/briefbot",
            "invalid DSN: bad query field: 'Tr0ub4dor3@127.0.0.1:9/briefbot'",
        ),
        # Only the piece's first characters are the password's: a run of 4 is enough.
        ("postgresql://bot:ab?cdef@db/bot", "bad query field: 'cdef@db/bot'"),
    ],
)
def test_a_quoted_piece_running_on_from_a_password_is_hidden(url: str, error: str) -> None:
    assert scrubbed(error, url).endswith(": ***"), scrubbed(error, url)


def test_a_quoted_piece_sharing_less_than_a_run_with_the_password_is_kept() -> None:
    url = "postgresql://bot:Tr0ub4dor3@db/bot"
    assert scrubbed("bad query field: 'Tr0x'", url) == "bad query field: 'Tr0x'"
    assert scrubbed("bad query field: 'ub4d'", url) == "bad query field: ***"


async def test_a_port_the_socket_cannot_take_is_an_unusable_url() -> None:
    # asyncpg reads 99999 as a port; the socket raises OverflowError, not ValueError.
    with pytest.raises(UnusableDatabaseError, match=r"^it is not a usable URL: "):
        await connect("postgresql://bot:pw@127.0.0.1:99999/bot")
