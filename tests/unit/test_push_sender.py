"""How Bot API answers become the outcomes the push engine acts on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.core.push.sending import Flood, Migrated, Refused, Transient, Unreachable
from bot.telegram.push_sender import _answer


def answer(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


def test_an_accepted_message_gives_its_id() -> None:
    raw = answer({"ok": True, "result": {"message_id": 77, "chat": {"id": 1}}})
    assert _answer(200, raw) == 77


@pytest.mark.parametrize(
    "raw",
    [
        # As Telegram writes it: compact, message_id first.
        b'{"ok":true,"result":{"message_id":78,"from":{"id":1},"text":"a, b"}}',
        b'{"ok":true,"result":{"message_id":78}}',
        # Any other spacing or order is read as JSON.
        b'{"ok": true, "result": {"message_id": 78}}',
        b'{"ok":true,"result":{"chat":{"id":1},"message_id":78}}',
    ],
)
def test_the_id_is_read_from_any_well_formed_answer(raw: bytes) -> None:
    assert _answer(200, raw) == 78


def test_flood_control_carries_the_wait() -> None:
    body = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    with pytest.raises(Flood) as caught:
        _answer(429, answer(body))
    assert caught.value.retry_after == 7.0


def test_a_migrated_group_names_its_new_id() -> None:
    body = {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": -1001234},
    }
    with pytest.raises(Migrated) as caught:
        _answer(400, answer(body))
    assert caught.value.new_chat_id == -1001234


@pytest.mark.parametrize(
    ("status", "description"),
    [(403, "Forbidden: bot was blocked by the user"), (400, "Bad Request: chat not found")],
)
def test_blocked_or_gone_chats_are_unreachable(status: int, description: str) -> None:
    body = {"ok": False, "error_code": status, "description": description}
    with pytest.raises(Unreachable, match=description):
        _answer(status, answer(body))


def test_server_errors_and_garbage_are_transient() -> None:
    body = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    with pytest.raises(Transient):
        _answer(502, answer(body))
    with pytest.raises(Transient, match="HTTP 504"):
        _answer(504, b"<html>Gateway Timeout</html>")


def test_other_refusals_are_final() -> None:
    body = {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
    with pytest.raises(Refused, match="too long"):
        _answer(400, answer(body))
