"""Inline mode: inline queries, their answers, the messages users send with them.

As on Telegram, inline mode and its feedback are settings the bot's owner turns on with
BotFather (/setinline, /setinlinefeedback): both start off here. A user's inline query
must be answered once, within its lifetime; the user then chooses a result and the client
sends it as an *inline message* (one with no chat the bot can name: it is addressed by
its inline_message_id only). With feedback on the bot hears of each choice
(`chosen_inline_result`), and learns the inline_message_id only when the result had an
inline keyboard. Presses on such a message carry that id and no message.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakebot.errors import bad_request
from tests.fakebot.markup import buttons as markup_buttons
from tests.fakebot.markup import check_reply_markup
from tests.fakebot.model import FakeChat, FakeUser
from tests.fakebot.results import START_PARAMETER, check_article, check_results_button
from tests.fakebot.text import MESSAGE_TEXT, format_text
from tests.fakebot.world import MethodImpl, World

QUERY_LIFETIME = 10.0  # seconds Telegram waits for an answer to an inline query
MAX_RESULTS = 50
MAX_OFFSET_BYTES = 64
CHAT_TYPES = frozenset({"sender", "private", "group", "supergroup", "channel"})
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class InlineQuery:
    id: str
    user: FakeUser
    query: str
    offset: str
    at: float  # time.monotonic() when it was sent
    answer: dict[str, Any] | None = None


@dataclass
class InlineMessage:
    """A result a user sent into a chat, in its current state (after edits)."""

    inline_message_id: str
    sender: FakeUser
    chat: FakeChat | None
    result_id: str
    html: str
    text: str
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    edits: int = 0

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        return markup_buttons(self.reply_markup)

    def button(self, text: str) -> dict[str, Any]:
        found = [b for row in self.buttons for b in row if b["text"] == text]
        if not found:
            labels = [b["text"] for row in self.buttons for b in row]
            raise AssertionError(f"no button {text!r} on the inline message; has {labels}")
        return found[0]


@dataclass
class InlineMode:
    """The fake's inline mode: the bot side (methods) and the users' side (test controls)."""

    world: World
    query_ids: Iterator[int]
    enabled: bool = False  # BotFather: /setinline
    feedback: bool = False  # BotFather: /setinlinefeedback (100%)
    lifetime: float = QUERY_LIFETIME
    queries: dict[str, InlineQuery] = field(default_factory=dict)
    messages: dict[str, InlineMessage] = field(default_factory=dict)
    _message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def implementations(self) -> dict[str, MethodImpl]:
        return {
            "getMe": self.get_me,
            "answerInlineQuery": self.answer_inline_query,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
        }

    # -- the bot's side ----------------------------------------------------------------------

    async def get_me(self, params: dict[str, Any]) -> Any:
        me = await self.world.get_me(params)
        return {**me, "supports_inline_queries": self.enabled}

    async def answer_inline_query(self, params: dict[str, Any]) -> Any:
        query = self.queries.get(params["inline_query_id"])
        if query is None:
            raise bad_request("QUERY_ID_INVALID")
        if query.answer is not None or time.monotonic() - query.at >= self.lifetime:
            raise bad_request(_TOO_OLD)
        results = params["results"]
        if len(results) > MAX_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            result_id = check_article(result)
            if result_id in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
        if len(params.get("next_offset", "").encode()) > MAX_OFFSET_BYTES:
            raise bad_request("NEXT_OFFSET_INVALID")
        if params.get("cache_time", 0) < 0:
            raise bad_request("CACHE_TIME_INVALID")
        if "button" in params:
            check_results_button(params["button"])
        query.answer = params
        return True

    async def edit_message_text(self, params: dict[str, Any]) -> Any:
        if "inline_message_id" not in params:
            return await self.world.edit_message_text(params)
        message = self._editable(params)
        text, entities = format_text(
            params["text"], params.get("parse_mode"), params.get("entities"), MESSAGE_TEXT
        )
        markup = params.get("reply_markup")
        if markup is not None:
            check_reply_markup(markup, inline_only=True)
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        message.html, message.text, message.entities = params["text"], text, entities
        message.reply_markup = markup
        message.edits += 1
        return True  # an inline message is not the bot's to return

    async def edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        if "inline_message_id" not in params:
            return await self.world.edit_message_reply_markup(params)
        message = self._editable(params)
        markup = params.get("reply_markup")
        if markup is not None:
            check_reply_markup(markup, inline_only=True)
        if (markup or None) == (message.reply_markup or None):
            raise bad_request(_NOT_MODIFIED)
        message.reply_markup = markup
        message.edits += 1
        return True

    def _editable(self, params: dict[str, Any]) -> InlineMessage:
        if "chat_id" in params or "message_id" in params:
            raise bad_request("MESSAGE_ID_INVALID")  # one message is named one way
        message = self.messages.get(params["inline_message_id"])
        if message is None:
            raise bad_request("MESSAGE_ID_INVALID")
        return message

    # -- the users' side ---------------------------------------------------------------------

    def turn_on(self, *, feedback: bool = True) -> None:
        """What the owner does with BotFather: /setinline, and /setinlinefeedback 100%."""
        self.enabled = True
        self.feedback = feedback

    def send_query(
        self, user: FakeUser, query: str, *, offset: str = "", chat_type: str = "sender"
    ) -> str:
        """`@bot query` typed by `user` (scrolled to `offset`); returns the query's id."""
        if not self.enabled:
            raise AssertionError("inline mode is off for the bot (BotFather: /setinline)")
        if chat_type not in CHAT_TYPES:
            raise ValueError(f"chat_type must be one of {sorted(CHAT_TYPES)}")
        query_id = str(next(self.query_ids))
        self.queries[query_id] = InlineQuery(query_id, user, query, offset, time.monotonic())
        update = {
            "id": query_id,
            "from": user.to_api(),
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
        }
        self.world.push({"inline_query": update})
        return query_id

    def answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's answer to the query, as sent (None before it answered)."""
        return self.queries[query_id].answer

    def choose(
        self, user: FakeUser, query_id: str, result_id: str, *, chat: FakeChat | None = None
    ) -> InlineMessage:
        """The user taps a result: the client sends it into `chat` as an inline message."""
        query = self.queries[query_id]
        answer = query.answer
        if answer is None:
            raise AssertionError(f"inline query {query_id} has no answer to choose from")
        chosen = [r for r in answer["results"] if r["id"] == result_id]
        if not chosen:
            raise AssertionError(f"no result {result_id!r} in the answer to {query_id}")
        content = chosen[0]["input_message_content"]
        text, entities = format_text(
            content["message_text"],
            content.get("parse_mode"),
            content.get("entities"),
            MESSAGE_TEXT,
        )
        message = InlineMessage(
            inline_message_id=f"AQAAAB{next(self._message_ids):010d}",
            sender=user,
            chat=chat,
            result_id=result_id,
            html=content["message_text"],
            text=text,
            entities=entities,
            reply_markup=chosen[0].get("reply_markup"),
        )
        self.messages[message.inline_message_id] = message
        if self.feedback:
            self._push_chosen(user, query, message)
        return message

    def _push_chosen(self, user: FakeUser, query: InlineQuery, message: InlineMessage) -> None:
        chosen: dict[str, Any] = {
            "result_id": message.result_id,
            "from": user.to_api(),
            "query": query.query,
        }
        if message.buttons:  # Telegram names the message only when it has a keyboard
            chosen["inline_message_id"] = message.inline_message_id
        self.world.push({"chosen_inline_result": chosen})

    def press(self, user: FakeUser, message: InlineMessage, data: str) -> str:
        """A press on a callback button of an inline message; returns the query's id."""
        current = self.messages[message.inline_message_id]
        datas = [b.get("callback_data") for row in current.buttons for b in row]
        if data not in datas:
            raise AssertionError(f"the inline message has no button with data {data!r}")
        query_id = str(next(self.query_ids))
        query = {
            "id": query_id,
            "from": user.to_api(),
            "inline_message_id": current.inline_message_id,
            "chat_instance": str(-abs(hash((user.id, current.inline_message_id)))),
            "data": data,
        }
        self.world.callback_queries[query_id] = query
        self.world.push({"callback_query": query})
        return query_id

    def start_parameter(self, url: str) -> str:
        """What opening a link to the bot (https://t.me/<bot>?start=X) sends: X, as the
        client sends `/start X` in the user's private chat with the bot."""
        parts = urlsplit(url)
        path = parts.path.strip("/")
        if parts.scheme != "https" or parts.hostname != "t.me" or path != self.world.bot.username:
            raise AssertionError(f"{url!r} is not a link to @{self.world.bot.username}")
        [parameter] = parse_qs(parts.query)["start"]
        if not START_PARAMETER.fullmatch(parameter):
            raise AssertionError(f"Telegram clients ignore the start parameter {parameter!r}")
        return parameter
