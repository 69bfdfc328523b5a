"""What Synapse answers: its errors as exceptions, and the room messages tests read."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp


class MatrixError(Exception):
    """A request Synapse refused: `errcode` as the spec names it (M_FORBIDDEN,
    M_LIMIT_EXCEEDED ...), and for a rate limit the wait it asks for."""

    def __init__(self, status: int, body: Mapping[str, Any], retry_after: str | None) -> None:
        self.status = status
        self.errcode: str = body.get("errcode", "")
        self.error: str = body.get("error", "")
        self.retry_after_ms: int | None = body.get("retry_after_ms")
        self.retry_after = retry_after  # the Retry-After header, in seconds, where sent
        super().__init__(f"{status} {self.errcode}: {self.error}")


async def read_answer(response: aiohttp.ClientResponse) -> dict[str, Any]:
    """The answer's JSON object, or MatrixError for anything but 200."""
    try:
        body = await response.json(content_type=None)
    except ValueError:
        body = {"error": await response.text()}
    if response.status != 200:
        raise MatrixError(response.status, body, response.headers.get("Retry-After"))
    answer: dict[str, Any] = body
    return answer


@dataclass(frozen=True)
class Message:
    """An `m.room.message` event as a client reads it; `content` as sent."""

    event_id: str
    room_id: str
    sender: str
    content: Mapping[str, Any]
    origin_server_ts: int

    @classmethod
    def from_event(cls, event: Mapping[str, Any], room_id: str) -> Message:
        return cls(
            event_id=event["event_id"],
            room_id=event.get("room_id", room_id),
            sender=event["sender"],
            content=event.get("content", {}),  # empty once redacted
            origin_server_ts=event.get("origin_server_ts", 0),
        )

    @property
    def body(self) -> str:
        """The plain text, what a client that shows no HTML shows."""
        return str(self.content.get("body", ""))

    @property
    def msgtype(self) -> str:
        return str(self.content.get("msgtype", ""))

    @property
    def format(self) -> str | None:
        return self.content.get("format")

    @property
    def formatted_body(self) -> str | None:
        return self.content.get("formatted_body")

    @property
    def relates_to(self) -> Mapping[str, Any] | None:
        return self.content.get("m.relates_to")

    @property
    def replaces(self) -> str | None:
        """The event id this message edits (`m.replace`), or None."""
        relation = self.relates_to or {}
        return relation.get("event_id") if relation.get("rel_type") == "m.replace" else None

    @property
    def new_content(self) -> Mapping[str, Any] | None:
        """An edit's new content (`m.new_content`): what clients show in place of the
        original's."""
        return self.content.get("m.new_content")

    @property
    def in_reply_to(self) -> str | None:
        """The event id this message answers (`m.in_reply_to`), or None."""
        reply = (self.relates_to or {}).get("m.in_reply_to") or {}
        return reply.get("event_id")


def shown(messages: Sequence[Message], event_id: str) -> Message:
    """The message `event_id` as Element shows it: with the content of its latest edit by
    its own sender (edits by anyone else are ignored, as the spec says clients must)."""
    [original] = [message for message in messages if message.event_id == event_id]
    edits = [
        message
        for message in messages
        if message.replaces == event_id
        and message.sender == original.sender
        and message.new_content is not None
    ]
    if not edits:
        return original
    latest = edits[-1].new_content
    assert latest is not None
    return dataclasses.replace(original, content=latest)
