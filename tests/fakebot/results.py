"""What answerInlineQuery is given, checked as Telegram checks it (articles only)."""

from __future__ import annotations

import re
from typing import Any

from tests.fakebot.errors import bad_request
from tests.fakebot.markup import check_reply_markup
from tests.fakebot.text import MESSAGE_TEXT, format_text

MAX_ID_BYTES = 64
ARTICLE_FIELDS = frozenset(
    {
        "type", "id", "title", "input_message_content", "reply_markup", "url", "description",
        "thumbnail_url", "thumbnail_width", "thumbnail_height",
    }
)  # fmt: skip
TEXT_CONTENT_FIELDS = frozenset({"message_text", "parse_mode", "entities", "link_preview_options"})
START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")


def check_article(result: Any) -> str:
    fail = "can't parse inline query result: "
    if not isinstance(result, dict):
        raise bad_request(fail + "InlineQueryResult must be an Object")
    if result.get("type") != "article":
        raise bad_request(f"inline result type {result.get('type')!r} is not supported by the fake")
    unknown = set(result) - ARTICLE_FIELDS
    if unknown:
        raise bad_request(fail + f'unknown field "{min(unknown)}"')
    for name in ("id", "title", "input_message_content"):
        if name not in result:
            raise bad_request(fail + f'Can\'t find field "{name}"')
    result_id = result["id"]
    if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= MAX_ID_BYTES:
        raise bad_request("RESULT_ID_INVALID")
    if not isinstance(result["title"], str) or not result["title"].strip():
        raise bad_request("RESULT_TITLE_EMPTY")
    content = result["input_message_content"]
    if not isinstance(content, dict) or "message_text" not in content:
        raise bad_request(fail + 'Can\'t find field "message_text"')
    unknown = set(content) - TEXT_CONTENT_FIELDS
    if unknown:
        raise bad_request(fail + f'unknown field "{min(unknown)}"')
    format_text(
        content["message_text"], content.get("parse_mode"), content.get("entities"), MESSAGE_TEXT
    )
    if "reply_markup" in result:
        check_reply_markup(result["reply_markup"], inline_only=True)
    return result_id


def check_results_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse InlineQueryResultsButton: Field "text" must be of type String'
        )
    if ("start_parameter" in button) == ("web_app" in button):
        raise bad_request("can't parse InlineQueryResultsButton: exactly one action expected")
    parameter = button.get("start_parameter")
    if parameter is not None and not START_PARAMETER.fullmatch(str(parameter)):
        raise bad_request("START_PARAM_INVALID")
