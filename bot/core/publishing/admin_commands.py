"""The admins' commands about published briefs: /correct, /cancel, /retract, /history, /stats.

Each takes what the chat app read of the command (the admin's chat, the admin, the words
after the command) and answers with what the admin is told, usage and unknown or
withdrawn briefs included. Uploads, the correction's second half, are in `uploads`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.chat import Reply, brief_number
from bot.core.publishing.drafts import live_brief, take_correction
from bot.core.rendering import Renderer
from storage import Storage, StoredBrief


@dataclass(frozen=True, slots=True)
class Retraction:
    """What /retract answers, and the brief as stored withdrawn (None: nothing was), whose
    copies already out the chat app then replaces with the withdrawn note."""

    reply: Reply
    withdrawn: StoredBrief | None = None


@dataclass(frozen=True, slots=True)
class ActorName:
    """An admin as their chat app names them in /history: the name shown and its link."""

    name: str
    link: str


# An admin's user id to their name, where the chat app has one for that id; without it, or
# when it answers None, /history shows the id linked as Telegram links a user.
ActorNames = Callable[[int], Awaitable[ActorName | None]]


def brief_argument(args: Sequence[str]) -> int | None:
    """The brief an admin's command names: exactly one number."""
    return brief_number(args[0]) if len(args) == 1 else None


def usage(renderer: Renderer, command: str) -> Reply:
    return Reply([renderer.render("admin_usage.html", command=command)])


async def _named_live_brief(
    storage: Storage, renderer: Renderer, command: str, args: Sequence[str]
) -> StoredBrief | Reply:
    """The published, not withdrawn, brief the command names; else the answer why not."""
    brief_id = brief_argument(args)
    if brief_id is None:
        return usage(renderer, command)
    return await live_brief(storage, renderer, brief_id)


async def start_correction(
    storage: Storage, renderer: Renderer, *, chat_id: int, args: Sequence[str], now: datetime
) -> Reply:
    """/correct <id>: the chat's next upload corrects that brief (storage.corrections)."""
    stored = await _named_live_brief(storage, renderer, "correct", args)
    if isinstance(stored, Reply):
        return stored
    await storage.corrections.set(chat_id, stored.id, at=now)
    return Reply([renderer.render("admin_correct_prompt.html", stored=stored)])


async def cancel_correction(
    storage: Storage, renderer: Renderer, *, chat_id: int, now: datetime
) -> Reply:
    """/cancel: the pending /correct, if any, is forgotten."""
    brief_id = await take_correction(storage, chat_id, now)
    return Reply([renderer.render("admin_cancelled.html", brief_id=brief_id)])


async def retract_brief(
    storage: Storage, renderer: Renderer, *, admin_id: int, args: Sequence[str], now: datetime
) -> Retraction:
    """/retract <id>: readers are told the brief was withdrawn from now on."""
    current = await _named_live_brief(storage, renderer, "retract", args)
    if isinstance(current, Reply):
        return Retraction(current)
    stored = await storage.briefs.retract(current.id, by=admin_id, at=now)
    text = renderer.render("admin_retracted.html", brief_id=current.id, stored=stored)
    return Retraction(Reply([text]), stored)


async def brief_history(
    storage: Storage, renderer: Renderer, args: Sequence[str], *, names: ActorNames | None = None
) -> Reply:
    """/history <id>: every version and the withdrawal, withdrawn briefs included; each
    admin by the name `names` gives them, if any."""
    brief_id = brief_argument(args)
    if brief_id is None:
        return usage(renderer, "history")
    stored = await storage.briefs.get(brief_id)
    if stored is None:
        return Reply([renderer.render("admin_no_brief.html", brief_id=brief_id, stored=None)])
    entries = await storage.briefs.history(brief_id)
    named: dict[int, ActorName] = {}
    for actor in sorted({entry.actor for entry in entries if entry.actor is not None}):
        found = await names(actor) if names is not None else None
        if found is not None:
            named[actor] = found
    return Reply(
        renderer.messages("admin_history.html", stored=stored, entries=entries, named=named)
    )


async def statistics(storage: Storage, renderer: Renderer) -> Reply:
    """/stats: briefs, subscribers and the last push."""
    text = renderer.render(
        "admin_stats.html",
        briefs=await storage.briefs.count(),
        subscribers=await storage.subscribers.counts(),
        push=await storage.pushes.last(),
    )
    return Reply([text])
