"""What a reader asks for (a brief, a part of it, by command, button or link): finding
the brief, remembering it as the reader's current one, rendering its parts as messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from bot.core.buttons import brief_keyboard, shared_keyboard
from bot.core.chat import OpenPart, Part, Reply, brief_number
from bot.core.rendering import Renderer
from bot.core.scope import serving_brief
from storage import Storage, StoredBrief


class Reason(Enum):
    """Why no brief can be shown."""

    NO_BRIEF = "none"  # nothing is published yet
    UNKNOWN = "unknown"  # no brief has that number
    WITHDRAWN = "withdrawn"
    BAD_ARGUMENT = "argument"  # not a brief number


# What a reader is told for each reason; admins' commands word them their own way.
_READER_TEMPLATES = {
    Reason.NO_BRIEF: "no_brief.html",
    Reason.UNKNOWN: "unknown_brief.html",
    Reason.WITHDRAWN: "withdrawn.html",
    Reason.BAD_ARGUMENT: "bad_argument.html",
}


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why no brief can be shown, and what its wording needs (the number, the argument)."""

    reason: Reason
    context: dict[str, Any] = field(default_factory=dict)


def parse_brief_id(command: str, args: list[str]) -> int | Refusal | None:
    """`/facts` → None (the reader's current brief), `/facts 12` → 12, anything else refused."""
    if not args:
        return None
    argument = " ".join(args)
    brief_id = brief_number(args[0]) if len(args) == 1 else None
    if brief_id is not None:
        return brief_id
    return Refusal(Reason.BAD_ARGUMENT, {"command": command, "argument": argument[:64]})


async def find_brief(
    storage: Storage, user_id: int, brief_id: int | None, *, latest_first: bool = False
) -> StoredBrief | Refusal:
    """The given brief, else the one this reader last opened, else the latest.

    `/brief` alone always means the latest (`latest_first`); the parts follow the reader.
    """
    found = await _resolve(storage, user_id, brief_id, latest_first=latest_first)
    if not isinstance(found, Refusal):
        serving_brief(found.id)  # the update's log lines name the brief from here on
    return found


async def _resolve(
    storage: Storage, user_id: int, brief_id: int | None, *, latest_first: bool
) -> StoredBrief | Refusal:
    if brief_id is None:
        brief_id = None if latest_first else await storage.readers.last_opened(user_id)
        if brief_id is None:
            return await storage.briefs.latest() or Refusal(Reason.NO_BRIEF)
        stored = await storage.briefs.get(brief_id)
        # A brief withdrawn since the reader opened it: fall back to the latest one.
        if stored is None or stored.retracted_at is not None:
            return await storage.briefs.latest() or Refusal(Reason.NO_BRIEF)
        return stored
    stored = await storage.briefs.get(brief_id)
    if stored is None:
        return Refusal(Reason.UNKNOWN, {"brief_id": brief_id})
    if stored.retracted_at is not None:
        return Refusal(Reason.WITHDRAWN, {"brief_id": brief_id})
    return stored


def unknown_brief(written: str) -> Refusal:
    """A brief asked for by a number no brief can have (past the largest a database holds),
    shown as the reader wrote it, cut short: unknown, like any brief not found."""
    return Refusal(Reason.UNKNOWN, {"brief_id": written[:24]})


async def open_part(
    storage: Storage, renderer: Renderer, reader_id: int, part: Part, brief_id: int | None
) -> Reply:
    """The part of the brief asked for (None: the one the reader last opened; for the
    summary, the latest), which becomes the reader's last opened; or why it cannot be shown.
    """
    found = await find_brief(storage, reader_id, brief_id, latest_first=part == "summary")
    if isinstance(found, Refusal):
        return render_refusal(renderer, found)
    await storage.readers.set_last_opened(reader_id, found.id)
    return render_part(renderer, found, part)


async def open_part_by_command(
    storage: Storage, renderer: Renderer, reader_id: int, part: Part, command: str, args: list[str]
) -> Reply:
    """`/facts`, `/facts 12` (and `/brief`, `/sources`, `/narratives`): see open_part; an
    argument that is not a brief number is refused, naming the command."""
    brief_id = parse_brief_id(command, args)
    if isinstance(brief_id, Refusal):
        return render_refusal(renderer, brief_id)
    return await open_part(storage, renderer, reader_id, part, brief_id)


async def start_reply(
    storage: Storage, renderer: Renderer, reader_id: int, link: OpenPart | Refusal | None
) -> Reply:
    """`/start`: the welcome; from a link to a part of a brief, that part (see open_part),
    or the refusal the chat app met decoding the link (see unknown_brief)."""
    if link is None:
        return Reply([renderer.render("start.html")])
    if isinstance(link, Refusal):
        return render_refusal(renderer, link)
    return await open_part(storage, renderer, reader_id, link.part, link.brief_id)


def help_reply(renderer: Renderer, *, identity_command: bool = True) -> Reply:
    """How to read a brief, and every reader command; `identity_command`: the app has `/id`
    (a reader's numeric id, which Telegram's admins need)."""
    return Reply([renderer.render("help.html", identity_command=identity_command)])


def render_part(renderer: Renderer, stored: StoredBrief, part: Part) -> Reply:
    """The part of a stored brief as messages, rendered once per version.

    A stored version never changes (a correction is the next version), so its id and
    version name everything the rendering depends on. A preview is not stored yet:
    render it with `render_unpublished`.
    """
    return renderer.memo(
        (stored.id, stored.version, part), lambda: render_unpublished(renderer, stored, part)
    )


def render_unpublished(renderer: Renderer, stored: StoredBrief, part: Part) -> Reply:
    """The part as messages, rendered afresh (a draft shown as readers will see it)."""
    keyboard = brief_keyboard(renderer, stored.id, shown=part)
    if part == "narratives":
        narratives = stored.brief.narratives
        texts = [
            text
            for index, narrative in enumerate(narratives, start=1)
            for text in renderer.messages(
                "narrative.html", narrative=narrative, index=index, total=len(narratives)
            )
        ]
        return Reply(texts, keyboard)
    template = "brief.html" if part == "summary" else f"{part}.html"
    return Reply(renderer.messages(template, stored=stored), keyboard)


def render_refusal(renderer: Renderer, refusal: Refusal) -> Reply:
    return Reply([renderer.render(_READER_TEMPLATES[refusal.reason], **refusal.context)])


def shared_look(renderer: Renderer, stored: StoredBrief) -> Reply:
    """The brief's summary as one message, the same in every chat it is shared into;
    rendered once per version.

    A summary too long for one message (rare: summaries are a paragraph or two) is shared
    as its first message, as a pushed copy is edited (bot/core/publishing/corrections.py);
    `/brief` shows the whole.
    """
    return renderer.memo(
        ("shared", stored.id, stored.version),
        lambda: Reply(
            [render_part(renderer, stored, "summary").texts[0]],
            shared_keyboard(renderer, stored.id),
        ),
    )
