"""What the fake server knows: users, chats, messages, files and the calls it received."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakebot.channels import ChannelState
from tests.fakebot.groups import GroupBotStatus
from tests.fakebot.markup import buttons as markup_buttons


@dataclass
class FakeUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False
    blocked: bool = False
    # A Premium user's privacy setting "Voice messages: nobody": sendVoice to them is refused.
    voice_messages_forbidden: bool = False

    def to_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass
class FakeChat:
    id: int
    type: str  # "private", "group", "supergroup" or "channel"
    title: str | None = None
    user: FakeUser | None = None  # the other side of a private chat
    admins: list[int] = field(default_factory=list)
    members: set[int] = field(default_factory=set)
    next_message_id: int = 1
    username: str | None = None  # a public channel's @name, without the "@"
    channel: ChannelState | None = None  # the bot's standing, in a channel only
    # The bot's standing in a group it is not an administrator of (tests/fakebot/groups.py);
    # change it later to restrict, remove or let the bot back in.
    bot_status: GroupBotStatus = "member"

    def to_api(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.user is not None:
            chat["first_name"] = self.user.first_name
            if self.user.username:
                chat["username"] = self.user.username
        else:
            chat["title"] = self.title
            if self.username:
                chat["username"] = self.username
        return chat

    @property
    def handle(self) -> str | None:
        """The chat's "@name", by which methods may name it instead of its id."""
        name = self.user.username if self.user is not None else self.username
        return f"@{name}" if name else None

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class SentMessage:
    """A message the bot sent, in its current state (after edits)."""

    chat_id: int
    message_id: int
    html: str | None  # the text exactly as the bot sent it
    text: str  # what the reader sees
    entities: list[dict[str, Any]]
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    date: int
    edits: int = 0
    deleted: bool = False
    document: dict[str, Any] | None = None
    voice: dict[str, Any] | None = None

    @property
    def has_media(self) -> bool:
        """A document or voice note: what it says is a caption, not a text."""
        return self.document is not None or self.voice is not None

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        return markup_buttons(self.reply_markup)

    def button(self, text: str) -> dict[str, Any]:
        """The inline button labelled ``text``; AssertionError when there is none."""
        for row in self.buttons:
            for button in row:
                if button["text"] == text:
                    return button
        labels = [button["text"] for row in self.buttons for button in row]
        raise AssertionError(f"no button {text!r} on message {self.message_id}; has {labels}")

    def callback_data(self) -> list[str]:
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]


@dataclass
class ApiCall:
    """One request the bot made, and how it was answered."""

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None
    description: str | None
    at: float
    result: Any = None
    abandoned: bool = False  # the client had gone away before the answer (a cancelled poll)

    def __str__(self) -> str:
        outcome = "ok" if self.ok else f"{self.error_code} {self.description}"
        shown = {k: v for k, v in self.params.items() if k != "text"}
        text = self.params.get("text")
        if isinstance(text, str):
            shown["text"] = text if len(text) <= 80 else text[:77] + "..."
        return f"{self.method}({shown}) -> {outcome}{' [abandoned]' if self.abandoned else ''}"


@dataclass
class FakeFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    kind: str = "document"  # "document", "voice" or "audio": which methods may send it again
    duration: int = 0  # seconds, for voice and audio

    def to_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
