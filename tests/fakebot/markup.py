"""Checks of reply_markup as Telegram does them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.fakebot.errors import bad_request

MAX_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64
INLINE_ACTIONS = frozenset(
    {
        "url", "callback_data", "web_app", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
        "callback_game", "pay",
    }
)  # fmt: skip
INLINE_BUTTON_FIELDS = INLINE_ACTIONS | {"text", "style", "icon_custom_emoji_id"}
KEYBOARD_BUTTON_FIELDS = frozenset(
    {
        "text", "request_contact", "request_location", "request_poll", "web_app",
        "request_chat", "request_users", "style", "icon_custom_emoji_id", "request_managed_bot",
    }
)  # fmt: skip
MARKUP_FIELDS = {
    "inline_keyboard": frozenset({"inline_keyboard"}),
    "keyboard": frozenset(
        {
            "keyboard", "resize_keyboard", "one_time_keyboard", "selective",
            "input_field_placeholder", "is_persistent",
        }
    ),
    "remove_keyboard": frozenset({"remove_keyboard", "selective"}),
    "force_reply": frozenset({"force_reply", "input_field_placeholder", "selective"}),
}  # fmt: skip
BUTTON_STYLES = frozenset({"primary", "success", "danger"})


def check_reply_markup(markup: dict[str, Any], *, inline_only: bool = False) -> None:
    kinds = [kind for kind in MARKUP_FIELDS if kind in markup]
    if len(kinds) != 1 or (inline_only and kinds != ["inline_keyboard"]):
        raise bad_request("can't parse reply keyboard markup JSON object")
    kind = kinds[0]
    unknown = set(markup) - MARKUP_FIELDS[kind]
    if unknown:
        raise bad_request(
            f"can't parse reply keyboard markup JSON object: unknown field {min(unknown)!r}"
        )
    if kind == "inline_keyboard":
        _check_rows(markup[kind], "inline_keyboard", "InlineKeyboardMarkup", _check_inline_button)
    elif kind == "keyboard":
        _check_rows(markup[kind], "keyboard", "ReplyKeyboardMarkup", _check_keyboard_button)
    elif markup[kind] is not True:
        raise bad_request(f'field "{kind}" must be True')


def _check_rows(rows: Any, field: str, owner: str, check: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field}" of the {owner} should be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            check(button)


def _check_inline_button(button: Any) -> None:
    fail = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(fail + "InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request(fail + 'Field "text" must be of type String')
    unknown = set(button) - INLINE_BUTTON_FIELDS
    if unknown:
        raise bad_request(fail + f'unknown field "{min(unknown)}"')
    actions = INLINE_ACTIONS & set(button)
    if not actions:
        raise bad_request(fail + "Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(fail + "exactly one of the optional fields must be used")
    if not button["text"].strip():
        raise bad_request("text buttons must have non-empty text")
    if "style" in button and button["style"] not in BUTTON_STYLES:
        raise bad_request(fail + "unsupported button style")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not _is_button_url(button["url"]):
        raise bad_request("BUTTON_URL_INVALID")


def _is_button_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return bool(parts.hostname) and " " not in url
    return parts.scheme == "tg" and bool(parts.netloc or parts.path)


def _check_keyboard_button(button: Any) -> None:
    if isinstance(button, str):
        if not button.strip():
            raise bad_request("text buttons must have non-empty text")
        return
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
    unknown = set(button) - KEYBOARD_BUTTON_FIELDS
    if unknown:
        raise bad_request(f'can\'t parse keyboard button: unknown field "{min(unknown)}"')


def buttons(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    if not markup or "inline_keyboard" not in markup:
        return []
    rows: list[list[dict[str, Any]]] = markup["inline_keyboard"]
    return rows
