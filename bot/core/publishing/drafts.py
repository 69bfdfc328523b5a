"""Drafts: a parsed upload shown as a preview, then published or discarded by its admin."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.chat import Button, DraftChoice, DraftStep, Keyboard, Reply
from bot.core.publishing import paste
from bot.core.publishing.problems import worded
from bot.core.reading import render_unpublished
from bot.core.rendering import Renderer
from brief.model import ParseResult, Problem
from storage import Draft, StaleDraft, Storage, StoredBrief

log = logging.getLogger(__name__)

DRAFT_LIFETIME = timedelta(days=1)
# How long a /correct waits for its upload (storage.corrections): after that the next
# upload is a new brief, and its preview says so.
CORRECTION_LIFETIME = DRAFT_LIFETIME


@dataclass(frozen=True, slots=True)
class Decision:
    """What a press on Publish or Discard did.

    `answer` is the short text for the callback answer; `reply` goes to the admin's chat;
    `close_preview` removes the buttons from the preview; `published` is the stored
    brief, so a correction can go on to edit the copies readers already hold.
    """

    answer: str | None = None
    reply: Reply | None = None
    close_preview: bool = False
    published: StoredBrief | None = None
    corrected: bool = False


def draft_keyboard(renderer: Renderer, draft_id: int) -> Keyboard:
    steps: tuple[DraftStep, ...] = ("publish", "discard")
    return (
        tuple(
            Button(renderer.render("admin_button.txt", action=step), DraftChoice(draft_id, step))
            for step in steps
        ),
    )


async def open_draft(
    storage: Storage,
    renderer: Renderer,
    *,
    admin_id: int,
    chat_id: int,
    result: ParseResult,
    correcting: StoredBrief | None,
    now: datetime,
) -> Reply:
    """Store the parsed upload as a draft and render its preview."""
    draft = await storage.drafts.create(
        admin_id=admin_id,
        chat_id=chat_id,
        brief=result.brief,
        warnings=result.warnings,
        correcting=correcting.id if correcting else None,
        at=now,
        expires_at=now + DRAFT_LIFETIME,
        based_on=correcting.version if correcting else None,
    )
    return preview(renderer, draft, correcting)


async def take_correction(storage: Storage, chat_id: int, now: datetime) -> int | None:
    """The brief the chat's pending /correct names, if one is pending and not expired,
    forgetting it: a /correct applies to one upload, whichever process receives it."""
    return await storage.corrections.take(chat_id, since=now - CORRECTION_LIFETIME)


async def live_brief(storage: Storage, renderer: Renderer, brief_id: int) -> StoredBrief | Reply:
    """The brief if it is published and not withdrawn, else the admin's answer why not."""
    stored = await storage.briefs.get(brief_id)
    if stored is None or stored.retracted_at is not None:
        return Reply([renderer.render("admin_no_brief.html", brief_id=brief_id, stored=stored)])
    return stored


async def correction_target(
    storage: Storage, renderer: Renderer, chat_id: int, now: datetime
) -> StoredBrief | Reply | None:
    """The brief an upload corrects, if the admin sent /correct first (taken: it applies to
    this upload only); the admin's answer if that brief has been withdrawn since."""
    brief_id = await take_correction(storage, chat_id, now)
    if brief_id is None:
        return None
    return await live_brief(storage, renderer, brief_id)


# A preview lists the first warnings, each fitting one message; the rest are counted.
PREVIEW_WARNINGS_SHOWN = 20


def preview(renderer: Renderer, draft: Draft, correcting: StoredBrief | None) -> Reply:
    """The summary as readers will see it (without their buttons), then the counts,
    warnings and the admin's Publish and Discard buttons."""
    summary = render_unpublished(renderer, as_readers_see(draft, correcting), "summary")
    warnings = [worded(renderer, w) for w in draft.warnings[:PREVIEW_WARNINGS_SHOWN]]
    details = renderer.messages(
        "admin_preview.html",
        draft=draft,
        brief=draft.brief,
        correcting=correcting,
        warnings=warnings,
    )
    return Reply([*summary.texts, *details], draft_keyboard(renderer, draft.id))


def as_readers_see(draft: Draft, correcting: StoredBrief | None) -> StoredBrief:
    """The draft as it will be stored: a correction keeps its number and first date and
    gains an "updated" note; a new brief has no number until it is published."""
    if correcting is None:
        return StoredBrief(0, draft.brief, 1, draft.created_at, None, None)
    return StoredBrief(
        correcting.id,
        draft.brief,
        correcting.version + 1,
        correcting.published_at,
        draft.created_at,
        None,
    )


# A refusal lists the first problems in one or two messages: an upload with thousands
# of problems is fixed from the top, and sent again, not read through hundreds of messages.
REFUSAL_PROBLEMS_SHOWN = 20
# Every problem quotes little of the upload, but a problem is shortened all the same, so
# no upload can make its refusal unsendable.
REFUSAL_PROBLEM_MAX = 600


def refusal(renderer: Renderer, problems: tuple[Problem, ...]) -> Reply:
    # Shortened once worded: a translation may be longer than the English.
    shown = [_shortened(worded(renderer, p)) for p in problems[:REFUSAL_PROBLEMS_SHOWN]]
    return Reply(
        renderer.messages(
            "admin_refused.html",
            problems=shown,
            total=len(problems),
            hidden=len(problems) - len(shown),
        )
    )


def _shortened(text: str) -> str:
    return text if len(text) <= REFUSAL_PROBLEM_MAX else f"{text[: REFUSAL_PROBLEM_MAX - 1]}\u2026"


async def decide(
    storage: Storage,
    renderer: Renderer,
    press: DraftChoice,
    *,
    user_id: int,
    chat_id: int,
    now: datetime,
    link: Callable[[int], str],
) -> Decision:
    """Publish or discard a draft, for the admin who uploaded it, in the chat it was shown
    in, and nobody else: any other press is answered and changes nothing. `link` is the
    chat app's link to a brief, for the admin's note that it is published."""
    draft = await storage.drafts.get(press.draft_id)
    if draft is None:  # gone: published, discarded or expired, so nobody's to close
        return Decision(renderer.render("admin_draft_gone.txt"))
    if draft.admin_id != user_id or draft.chat_id != chat_id:
        # Someone else's preview, forwarded or shared, or a press sent with made-up data.
        return Decision(renderer.render("admin_draft_not_yours.txt"))
    if draft.expires_at <= now:
        return Decision(renderer.render("admin_draft_gone.txt"), close_preview=True)
    if press.step == "discard":
        await storage.drafts.discard(draft.id)
        return Decision(reply=Reply([renderer.render("admin_discarded.html")]), close_preview=True)
    return await _publish(storage, renderer, draft, now=now, link=link)


async def _publish(
    storage: Storage, renderer: Renderer, draft: Draft, *, now: datetime, link: Callable[[int], str]
) -> Decision:
    corrected = draft.correcting is not None
    stored = await storage.drafts.publish(draft.id, by=draft.admin_id, at=now)
    if isinstance(stored, StaleDraft):
        return await _stale(storage, renderer, stored)
    if stored is None and draft.correcting is not None:
        target = await live_brief(storage, renderer, draft.correcting)
        if isinstance(target, Reply):
            # Withdrawn since the preview: storage refused to bring it back to readers.
            return Decision(reply=target, close_preview=True)
    if stored is None:  # expired or taken by a second press in the same instant
        return Decision(renderer.render("admin_draft_gone.txt"), close_preview=True)
    # Its voice note, made in the background (bot/core/audio/making.py); a correction's
    # supersedes the older version's.
    await storage.audio.want(stored.id, stored.version, at=now)
    text = renderer.render(
        "admin_published.html", stored=stored, link=link(stored.id), corrected=corrected
    )
    return Decision(reply=Reply([text]), close_preview=True, published=stored, corrected=corrected)


async def _stale(storage: Storage, renderer: Renderer, refused: StaleDraft) -> Decision:
    """A correction made from a version since replaced: who replaced it, with which
    version and when; the preview keeps its buttons (Discard still drops the draft)."""
    history = await storage.briefs.history(refused.brief_id)
    since = [e for e in history if e.action == "correct" and (e.version or 0) > refused.based_on]
    text = renderer.render("admin_stale_correction.html", refused=refused, since=since)
    return Decision(reply=Reply([text]))


async def drop_expired(storage: Storage, now: datetime) -> None:
    """Drop what an admin's work left waiting too long: drafts, a /correct never followed
    by an upload, the parts of a paste whose joining was lost. Every replica may run it:
    each is one DELETE of what is past its time."""
    removed = await storage.drafts.delete_expired(now)
    if removed:
        log.info("removed %s expired drafts", removed)
    await storage.corrections.delete_expired(now - CORRECTION_LIFETIME)
    await storage.pastes.delete_stale(now - paste.PASTE_FORGOTTEN_AFTER)
