"""After a correction or a withdrawal: replace every copy of the brief already out.

Copies come in kinds: summaries pushed to readers, channel posts (both rows of the
delivery record, told apart by the channels storage knows), and any other kind added to
COPY_KINDS (the inline messages shared through inline mode are one). A kind says where
its copies are and what a corrected copy looks like; a withdrawal turns every copy, of
every kind, into the same short note without buttons. The edits go through the chat
app's Messenger, which paces them with everything else the bot sends, and each kind is
counted on its own for the admin's report (templates/admin_copies_report.html).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.core.audio.listening import corrected_voice_look, voice_copies
from bot.core.channels.posts import channel_post
from bot.core.chat import CopyAt, Edit, Keyboard, Messenger, Reply
from bot.core.languages import speaking
from bot.core.reading import render_part, shared_look
from bot.core.rendering import Renderer
from storage import DeliveryRecord, Storage, StoredBrief

# Where a kind's copies of the brief are; what its copy of a version looks like.
FindCopies = Callable[[Storage, StoredBrief], Awaitable[Sequence[CopyAt]]]
RenderCopy = Callable[[Renderer, StoredBrief], Reply]


@dataclass(frozen=True, slots=True)
class CopyKind:
    name: str  # the report's key for its wording: "pushed", "channel", "inline", "voice"
    find: FindCopies
    render: RenderCopy
    caption: bool = False  # a media message (a voice note): its caption is edited


@dataclass(slots=True)
class KindCount:
    """What became of one kind's copies."""

    kind: str
    app: str | None = None  # the chat app, when the bot speaks in several
    edited: int = 0
    unchanged: int = 0  # the app already shows this text, e.g. a second edit after a retry
    failed: int = 0  # deleted, too old, the reader blocked the bot, rights taken away, busy

    @property
    def total(self) -> int:
        return self.edited + self.unchanged + self.failed

    def add(self, outcome: Edit) -> None:
        if outcome is Edit.EDITED:
            self.edited += 1
        elif outcome is Edit.UNCHANGED:
            self.unchanged += 1
        else:  # FAILED, or BUSY: this copy stays as it was, and the report says so
            self.failed += 1


async def _recorded_copies(
    storage: Storage, stored: StoredBrief, *, channels: bool
) -> list[CopyAt]:
    """Sent rows of the delivery record: channel posts, or (channels=False) the rest.

    A digest is recorded without message ids: its buttons open the current version, and
    it has nothing to edit.
    """
    known = await storage.channels.known()
    rows: list[DeliveryRecord] = await storage.deliveries.sent_copies(stored.id)
    return [
        CopyAt(d.chat_id, d.message_ids[0])
        for d in rows
        if d.message_ids and (d.chat_id in known) == channels
    ]


async def pushed_copies(storage: Storage, stored: StoredBrief) -> list[CopyAt]:
    return await _recorded_copies(storage, stored, channels=False)


async def channel_posts(storage: Storage, stored: StoredBrief) -> list[CopyAt]:
    return await _recorded_copies(storage, stored, channels=True)


async def inline_copies(storage: Storage, stored: StoredBrief) -> list[CopyAt]:
    """Messages shared through inline mode that Telegram reported (inline feedback)."""
    shared = await storage.inline_copies.of_brief(stored.id)
    return [CopyAt(inline_message_id=copy.inline_message_id) for copy in shared]


def _pushed_look(renderer: Renderer, stored: StoredBrief) -> Reply:
    # The summary with its buttons, exactly like a fresh `/brief`.
    return render_part(renderer, stored, "summary")


PUSHED = CopyKind("pushed", pushed_copies, _pushed_look)
CHANNEL = CopyKind("channel", channel_posts, channel_post)
INLINE = CopyKind("inline", inline_copies, shared_look)
# Voice notes: a correction makes a new one, so the old ones point to it.
VOICE = CopyKind("voice", voice_copies, corrected_voice_look, caption=True)
COPY_KINDS: tuple[CopyKind, ...] = (PUSHED, CHANNEL, INLINE, VOICE)


async def correct_copies(
    messenger: Messenger,
    storage: Storage,
    renderer: Renderer,
    stored: StoredBrief,
    kinds: Sequence[CopyKind] = COPY_KINDS,
) -> list[KindCount]:
    """Every copy shows the brief's current version; a count per kind, in `kinds` order.

    A copy's first message is edited: a summary fits one message.
    """
    return await _replace_all(messenger, storage, renderer, stored, kinds, withdrawn=False)


async def withdraw_copies(
    messenger: Messenger,
    storage: Storage,
    renderer: Renderer,
    stored: StoredBrief,
    kinds: Sequence[CopyKind] = COPY_KINDS,
) -> list[KindCount]:
    """Every copy becomes the withdrawn note, without buttons that would open the brief."""
    return await _replace_all(messenger, storage, renderer, stored, kinds, withdrawn=True)


async def refresh_copy(
    messenger: Messenger, renderer: Renderer, stored: StoredBrief, kind: CopyKind, copy: CopyAt
) -> None:
    """One copy brought to where its brief is now: its current version, or the withdrawn
    note (a copy sent from something older, such as an inline answer Telegram kept)."""
    text, keyboard = _look(renderer, stored, kind, withdrawn=stored.retracted_at is not None)
    edit = messenger.edit_caption if kind.caption else messenger.edit
    await edit(copy, text, keyboard)


def _look(
    renderer: Renderer, stored: StoredBrief, kind: CopyKind, *, withdrawn: bool
) -> tuple[str, Keyboard | None]:
    """What a copy of this kind shows now, in the language being spoken."""
    if withdrawn:
        return renderer.render("copy_withdrawn.html", title=stored.brief.title), None
    look = kind.render(renderer, stored)
    return look.texts[0], look.keyboard


async def _replace_all(
    messenger: Messenger,
    storage: Storage,
    renderer: Renderer,
    stored: StoredBrief,
    kinds: Sequence[CopyKind],
    *,
    withdrawn: bool,
) -> list[KindCount]:
    """Each copy edited into the current version (or the withdrawn note) in the language of
    its chat: the one the chat chose or was last seen in; a channel's is stored as its
    choice. An inline copy has no chat to ask: it is written in the bot's default language."""
    counts = []
    for kind in kinds:
        copies = await kind.find(storage, stored)
        chats = await storage.languages.of_chats([c.chat_id for c in copies if c.chat_id])
        by_app: dict[str | None, KindCount] = {}
        edit = messenger.edit_caption if kind.caption else messenger.edit
        for copy in copies:
            app = messenger.app_of(copy.chat_id)
            count = by_app.setdefault(app, KindCount(kind.name, app))
            known = chats.get(copy.chat_id) if copy.chat_id is not None else None
            locale = renderer.locale_for(known.chosen, known.seen) if known else renderer.default
            if withdrawn and kind.caption and await messenger.delete(copy):
                # A voice note's caption can say it was withdrawn, but its sound would still
                # play: it is deleted while Telegram lets the bot (48 hours), else captioned.
                count.add(Edit.EDITED)
                continue
            with speaking(locale.language, locale.zone):
                text, keyboard = _look(renderer, stored, kind, withdrawn=withdrawn)
            count.add(await edit(copy, text, keyboard))
        counts.extend(sorted(by_app.values(), key=lambda c: c.app or "") or [KindCount(kind.name)])
    return counts


# Held while the copies of a brief are edited, by whichever replica edits them.
REPLACING = "replace-copies"


async def replace_copies(
    messenger: Messenger,
    storage: Storage,
    renderer: Renderer,
    stored: StoredBrief,
    *,
    withdrawn: bool,
) -> Reply | None:
    """Edit every copy (or, `withdrawn`, turn it into the withdrawn note); the admin's
    report of the counts of each kind that has copies, None when no kind has any.

    One replacement at a time, across replicas too, each with the brief as it is when
    its turn comes: a correction still editing when the brief is withdrawn (its edits
    paced, a 429 pause) cannot put the brief back over the withdrawn notes after them.
    """
    async with storage.exclusive(REPLACING):
        latest = await storage.briefs.get(stored.id)
        if latest is not None:
            stored, withdrawn = latest, latest.retracted_at is not None
        replace = withdraw_copies if withdrawn else correct_copies
        counts = await replace(messenger, storage, renderer, stored)
    shown = [count for count in counts if count.total]
    if not shown:
        return None
    text = renderer.render(
        "admin_copies_report.html", brief_id=stored.id, counts=shown, withdrawn=withdrawn
    )
    return Reply([text])
