"""Joining a long paste that a Telegram client cut into several messages.

Clients cut a paste longer than one message into consecutive messages, sent within a
moment of each other. Each part is stored as it arrives (storage.pastes), whichever
process receives it, so the parts of one paste may reach different replicas or straddle
a restart. The process that receives a part (re)starts a short timer; when a timer runs
out and no newer part has arrived since (from any process), it takes every part, joins
them in message order and parses them as one upload. A timer whose part is no longer the
newest does nothing: the newer part's timer joins the paste.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from brief import MAX_BRIEF_BYTES
from brief.isolated import Link
from storage import PastePart, Storage

# Long enough for a phone on a slow network to send every part, short enough that an
# admin does not wait for a preview. Parts arrive well under a second apart in practice.
PASTE_WINDOW_SECONDS = 2.0
# Parts older than this when another part arrives belong to a paste whose timer was lost
# (its process stopped before joining it): they are dropped rather than joined to the new
# one. Far longer than any gap between the parts of one paste; the clocks of replicas
# agree far better than this.
PASTE_FORGOTTEN_AFTER = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Paste:
    text: str
    links: tuple[Link, ...]


async def add_part(
    storage: Storage,
    chat_id: int,
    message_id: int,
    text: str,
    links: tuple[Link, ...],
    now: datetime,
) -> int | None:
    """Store a part; its place in the order of arrival, for its timer (None: a repeat).

    Past the upload limit the paste will be refused whole, so storage keeps no more text:
    a runaway paste cannot grow the database.
    """
    return await storage.pastes.add(
        chat_id,
        PastePart(message_id, text, links),
        at=now,
        forget_before=now - PASTE_FORGOTTEN_AFTER,
        keep_up_to=MAX_BRIEF_BYTES,
    )


async def take(storage: Storage, chat_id: int, last: int) -> Paste | None:
    """The joined paste if the part numbered `last` is still the newest; None otherwise."""
    parts = await storage.pastes.take(chat_id, last=last)
    return join(parts) if parts else None


def join(parts: Sequence[PastePart]) -> Paste:
    """The parts as one text.

    Clients cut at a line break or, failing that, a space, and drop it. A line
    break restores the first exactly; for the second the format reads a wrapped
    line as the continuation of the bullet or summary above it, so nothing is lost.
    """
    return Paste(
        "\n".join(part.text for part in parts),
        tuple(link for part in parts for link in part.links),
    )


def timer_name(chat_id: int) -> str:
    return f"admin-paste:{chat_id}"


def newer_timer_waiting(waiting: Iterable[int], arrival: int) -> bool:
    """Whether a timer already set in this chat (`waiting`: the arrivals of their parts)
    is for a part newer than `arrival`. Parts handled at once may finish storing out of
    order: that timer is kept (this part's would find the newer part and do nothing);
    otherwise the timers waiting give way to this part's."""
    return any(newer > arrival for newer in waiting)
