"""Dropping a flood before PTB reads it: the transport that fetches updates.

PTB turns every update it fetches into objects before any handler sees it, about 0.2 ms
each on a 2-core machine: a flood of 4,000 costs a second before the next reader's
update is reached, even though the flood gate (bot/core/limits/flood.py) drops each in
microseconds. This transport, used only for getUpdates, removes from each batch the
updates the gate would drop without a word (their chat was told to slow down and is
still over its allowance) while they are plain JSON. Everything else, the first update
over the allowance included, reaches the gate as before. The last update of a batch is
always kept: PTB confirms a batch by the last id it received.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from bot.core.limits.flood import Allowance, FloodGate, SenderKey
from bot.core.metrics import Metrics
from bot.telegram.transport import AiohttpRequest
from bot.telegram.updates import raw_update_kind


class UpdatesRequest(AiohttpRequest):
    def __init__(
        self,
        gate: FloodGate,
        *,
        connections: int,
        proxy: str | None = None,
        on_unauthorized: Callable[[], None] | None = None,
        metrics: Metrics | None = None,
        on_answer: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(
            connections=connections,
            proxy=proxy,
            on_unauthorized=on_unauthorized,
            metrics=metrics,
            on_answer=on_answer,
        )
        self._gate = gate

    # PTB calls it on the instance; the base class's is a static method.
    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        data = AiohttpRequest.parse_json_payload(payload)
        updates = data.get("result")
        if isinstance(updates, list) and len(updates) > 1:
            admins = self._gate.admins
            kept = []
            for update in updates[:-1]:
                if self._gate.drops_silently(raw_sender(update, admins)):
                    self._metrics.update_dropped_unread(raw_update_kind(update))
                else:
                    kept.append(update)
            data["result"] = [*kept, updates[-1]]
        return data


def raw_sender(update: object, admins: Collection[int]) -> SenderKey | None:
    """The chat (or user) whose allowance an update (as JSON) spends, and which of its
    allowances, as FloodGate.judge reads them; None for updates it always lets through."""
    if not isinstance(update, Mapping):
        return None
    inline = update.get("inline_query")
    if isinstance(inline, Mapping):
        user_id = _id(inline.get("from"))
        return None if user_id is None else (user_id, Allowance.INLINE)
    message, edited = update.get("message"), update.get("edited_message")
    written = message if isinstance(message, Mapping) else edited
    if isinstance(written, Mapping):
        chat_id = _id(written.get("chat"))
        upload = Allowance.UPLOAD if _upload(message, admins) else Allowance.CHAT
        return None if chat_id is None else (chat_id, upload)
    query = update.get("callback_query")
    if isinstance(query, Mapping):
        pressed = query.get("message")
        chat_id = _id(pressed.get("chat")) if isinstance(pressed, Mapping) else None
        sender = chat_id if chat_id is not None else _id(query.get("from"))
        return None if sender is None else (sender, Allowance.CHAT)
    return None


def _id(entity: object) -> int | None:
    number = entity.get("id") if isinstance(entity, Mapping) else None
    return number if isinstance(number, int) else None


def _upload(message: object, admins: Collection[int]) -> bool:
    if not isinstance(message, Mapping):
        return False
    chat, sender = message.get("chat"), message.get("from")
    if not isinstance(chat, Mapping) or chat.get("type") != "private" or _id(sender) not in admins:
        return False
    text = message.get("text")
    return "document" in message or (isinstance(text, str) and not text.startswith("/"))
