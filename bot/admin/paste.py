"""Joining a long paste that a Telegram client cut into several messages.

Clients cut a paste longer than one message into consecutive messages, sent within a
moment of each other. Each admin chat keeps a buffer (`ChatData.paste`); every new part
resets a short timer, and when the timer runs out the parts are joined and parsed as one
upload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.admin.uploads import Link
from brief import MAX_BRIEF_BYTES

# Long enough for a phone on a slow network to send every part, short enough that an
# admin does not wait for a preview. Parts arrive well under a second apart in practice.
PASTE_WINDOW_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Paste:
    text: str
    links: tuple[Link, ...]


@dataclass(slots=True)
class PasteBuffer:
    parts: list[Paste] = field(default_factory=list)
    size: int = 0  # UTF-8 bytes so far

    def add(self, text: str, links: tuple[Link, ...]) -> None:
        # Past the upload limit the paste will be refused whole: keeping more parts would
        # only let a runaway paste grow the bot's memory.
        if self.size > MAX_BRIEF_BYTES:
            return
        self.parts.append(Paste(text, links))
        self.size += len(text.encode()) + 1

    def joined(self) -> Paste:
        """The parts as one text.

        Clients cut at a line break or, failing that, a space, and drop it. A line
        break restores the first exactly; for the second the format reads a wrapped
        line as the continuation of the bullet or summary above it, so nothing is lost.
        """
        return Paste(
            "\n".join(part.text for part in self.parts),
            tuple(link for part in self.parts for link in part.links),
        )


def timer_name(chat_id: int) -> str:
    return f"admin-paste:{chat_id}"
