"""The documented parameters of each method, and decoding them the way the Bot API does.

Requests arrive as a query string, ``application/x-www-form-urlencoded``,
``multipart/form-data`` (python-telegram-bot: strings as they are, everything else
JSON-encoded) or an ``application/json`` body (values already typed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from aiohttp.web import FileField

from tests.fakebot.errors import bad_request


class Kind(Enum):
    INT = "Integer"
    FLOAT = "Float"
    BOOL = "Boolean"
    STR = "String"
    CHAT_ID = "Integer or String"
    OBJECT = "JSON object"
    ARRAY = "JSON array"
    FILE = "InputFile or String"


@dataclass(frozen=True)
class Param:
    kind: Kind
    required: bool = False


def _req(kind: Kind) -> Param:
    return Param(kind, required=True)


_SEND_COMMON: dict[str, Param] = {
    "business_connection_id": Param(Kind.STR),
    "chat_id": _req(Kind.CHAT_ID),
    "message_thread_id": Param(Kind.INT),
    "direct_messages_topic_id": Param(Kind.INT),
    "disable_notification": Param(Kind.BOOL),
    "protect_content": Param(Kind.BOOL),
    "allow_paid_broadcast": Param(Kind.BOOL),
    "message_effect_id": Param(Kind.STR),
    "suggested_post_parameters": Param(Kind.OBJECT),
    "reply_parameters": Param(Kind.OBJECT),
    "reply_markup": Param(Kind.OBJECT),
}
_SCOPE = {"scope": Param(Kind.OBJECT), "language_code": Param(Kind.STR)}
_EDIT_TARGET = {
    "business_connection_id": Param(Kind.STR),
    "chat_id": Param(Kind.CHAT_ID),
    "message_id": Param(Kind.INT),
    "inline_message_id": Param(Kind.STR),
}

METHODS: dict[str, dict[str, Param]] = {
    "getMe": {},
    "logOut": {},
    "close": {},
    "getWebhookInfo": {},
    "setWebhook": {
        "url": _req(Kind.STR),
        "certificate": Param(Kind.FILE),
        "ip_address": Param(Kind.STR),
        "max_connections": Param(Kind.INT),
        "allowed_updates": Param(Kind.ARRAY),
        "drop_pending_updates": Param(Kind.BOOL),
        "secret_token": Param(Kind.STR),
    },
    "deleteWebhook": {"drop_pending_updates": Param(Kind.BOOL)},
    "getUpdates": {
        "offset": Param(Kind.INT),
        "limit": Param(Kind.INT),
        "timeout": Param(Kind.INT),
        "allowed_updates": Param(Kind.ARRAY),
    },
    "sendMessage": {
        **_SEND_COMMON,
        "text": _req(Kind.STR),
        "parse_mode": Param(Kind.STR),
        "entities": Param(Kind.ARRAY),
        "link_preview_options": Param(Kind.OBJECT),
    },
    "sendDocument": {
        **_SEND_COMMON,
        "document": _req(Kind.FILE),
        "thumbnail": Param(Kind.FILE),
        "caption": Param(Kind.STR),
        "parse_mode": Param(Kind.STR),
        "caption_entities": Param(Kind.ARRAY),
        "disable_content_type_detection": Param(Kind.BOOL),
    },
    "sendVoice": {
        **_SEND_COMMON,
        "voice": _req(Kind.FILE),
        "caption": Param(Kind.STR),
        "parse_mode": Param(Kind.STR),
        "caption_entities": Param(Kind.ARRAY),
        "duration": Param(Kind.INT),
    },
    "editMessageCaption": {
        **_EDIT_TARGET,
        "caption": Param(Kind.STR),
        "parse_mode": Param(Kind.STR),
        "caption_entities": Param(Kind.ARRAY),
        "show_caption_above_media": Param(Kind.BOOL),
        "reply_markup": Param(Kind.OBJECT),
    },
    "editMessageText": {
        **_EDIT_TARGET,
        "text": _req(Kind.STR),
        "parse_mode": Param(Kind.STR),
        "entities": Param(Kind.ARRAY),
        "link_preview_options": Param(Kind.OBJECT),
        "reply_markup": Param(Kind.OBJECT),
    },
    "editMessageReplyMarkup": {
        **_EDIT_TARGET,
        "reply_markup": Param(Kind.OBJECT),
        # python-telegram-bot sends its default parse_mode here too; Telegram ignores it.
        "parse_mode": Param(Kind.STR),
    },
    "deleteMessage": {"chat_id": _req(Kind.CHAT_ID), "message_id": _req(Kind.INT)},
    "answerCallbackQuery": {
        "callback_query_id": _req(Kind.STR),
        "text": Param(Kind.STR),
        "show_alert": Param(Kind.BOOL),
        "url": Param(Kind.STR),
        "cache_time": Param(Kind.INT),
    },
    "setMyCommands": {"commands": _req(Kind.ARRAY), **_SCOPE},
    "getMyCommands": _SCOPE,
    "deleteMyCommands": _SCOPE,
    "setMyDescription": {"description": Param(Kind.STR), "language_code": Param(Kind.STR)},
    "getMyDescription": {"language_code": Param(Kind.STR)},
    "setMyShortDescription": {
        "short_description": Param(Kind.STR),
        "language_code": Param(Kind.STR),
    },
    "getMyShortDescription": {"language_code": Param(Kind.STR)},
    "sendChatAction": {
        "business_connection_id": Param(Kind.STR),
        "chat_id": _req(Kind.CHAT_ID),
        "message_thread_id": Param(Kind.INT),
        "action": _req(Kind.STR),
    },
    "answerInlineQuery": {
        "inline_query_id": _req(Kind.STR),
        "results": _req(Kind.ARRAY),
        "cache_time": Param(Kind.INT),
        "is_personal": Param(Kind.BOOL),
        "next_offset": Param(Kind.STR),
        "button": Param(Kind.OBJECT),
    },
    "getFile": {"file_id": _req(Kind.STR)},
    "getChat": {"chat_id": _req(Kind.CHAT_ID)},
    "getChatMember": {"chat_id": _req(Kind.CHAT_ID), "user_id": _req(Kind.INT)},
    "getChatAdministrators": {"chat_id": _req(Kind.CHAT_ID), "return_bots": Param(Kind.BOOL)},
}

# Telegram's own words for a few missing parameters; the rest get a plain statement.
_MISSING = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "user_id": "user not found",
}
_INT_RE = re.compile(r"-?[0-9]{1,19}")
_TRUE = frozenset({"true", "True", "1"})
_FALSE = frozenset({"false", "False", "0"})


def decode_params(method: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Checks names, presence and types; returns the values decoded."""
    spec = METHODS[method]
    for name in raw:
        if name not in spec:
            raise bad_request(f"unknown parameter '{name}'")
    decoded = {name: decode_value(name, spec[name].kind, value) for name, value in raw.items()}
    for name, param in spec.items():
        if param.required and name not in decoded:
            raise bad_request(_MISSING.get(name, f'parameter "{name}" is required'))
    return decoded


def decode_value(name: str, kind: Kind, value: Any) -> Any:
    if kind is Kind.FILE:
        if isinstance(value, FileField | str):
            return value
    elif isinstance(value, FileField):
        pass
    elif kind is Kind.STR:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    elif kind is Kind.INT:
        return _decode_int(name, value)
    elif kind is Kind.FLOAT:
        return _decode_float(name, value)
    elif kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
    elif kind is Kind.CHAT_ID:
        return _decode_chat_id(value)
    else:
        return _decode_json(name, kind, value)
    raise bad_request(f'field "{name}" must be of type {kind.value}')


def _decode_int(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT_RE.fullmatch(value):
        return int(value)
    raise bad_request(f'field "{name}" must be of type Integer')


def _decode_float(name: str, value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad_request(f'field "{name}" must be of type Float') from None


def _decode_chat_id(value: Any) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT_RE.fullmatch(value):
        return int(value)
    if isinstance(value, str) and value.startswith("@") and len(value) > 1:
        return value
    raise bad_request("chat not found")


def _decode_json(name: str, kind: Kind, value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise bad_request(f"can't parse {name} JSON object") from None
    expected = dict if kind is Kind.OBJECT else list
    if not isinstance(value, expected):
        raise bad_request(f'field "{name}" must be of type {kind.value}')
    return value


def loggable(raw: dict[str, Any]) -> dict[str, Any]:
    """Best-effort decoding for the call log when the request was refused before decoding."""
    result: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, FileField):
            result[name] = f"<file {value.filename}>"
        elif isinstance(value, str):
            try:
                result[name] = json.loads(value)
            except json.JSONDecodeError:
                result[name] = value
            if not isinstance(result[name], dict | list | int | bool):
                result[name] = value
        else:
            result[name] = value
    return result
