"""After a correction or a withdrawal: replace every copy of the brief already out.

Copies come in kinds: summaries pushed to readers, channel posts (both rows of the
delivery record, told apart by the channels storage knows), and any other kind added to
COPY_KINDS (the inline messages shared through inline mode are one). A kind says where
its copies are and what a corrected copy looks like; a withdrawal turns every copy, of
every kind, into the same short note without buttons. The edits go through the bot, so
the rate limiter paces them with everything else it sends, and each kind is counted on
its own for the admin's report (templates/admin_copies_report.html).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from bot.core.channels.posts import channel_post
from bot.core.reading import Reply, render_part
from bot.core.rendering import Renderer
from bot.telegram.bot_api import not_modified
from bot.telegram.inline.sharing import shared_message
from storage import DeliveryRecord, Storage, StoredBrief

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Copy:
    """Where one copy is: a message in a chat, or a message sent via inline mode."""

    chat_id: int | None = None
    message_id: int | None = None
    inline_message_id: str | None = None


# Where a kind's copies of the brief are; what its copy of a version looks like (given
# the bot's username, for links back to the bot).
FindCopies = Callable[[Storage, StoredBrief], Awaitable[Sequence[Copy]]]
RenderCopy = Callable[[Renderer, StoredBrief, str], Reply]


@dataclass(frozen=True, slots=True)
class CopyKind:
    name: str  # the report's key for its wording: "pushed", "channel", "inline"
    find: FindCopies
    render: RenderCopy


@dataclass(slots=True)
class KindCount:
    """What became of one kind's copies."""

    kind: str
    edited: int = 0
    unchanged: int = 0  # Telegram already shows this text, e.g. a second edit after a retry
    failed: int = 0  # deleted, too old, the reader blocked the bot, or rights taken away

    @property
    def total(self) -> int:
        return self.edited + self.unchanged + self.failed


async def _recorded_copies(storage: Storage, stored: StoredBrief, *, channels: bool) -> list[Copy]:
    """Sent rows of the delivery record: channel posts, or (channels=False) the rest.

    A digest is recorded without message ids: its buttons open the current version, and
    it has nothing to edit.
    """
    known = await storage.channels.known()
    rows: list[DeliveryRecord] = await storage.deliveries.sent_copies(stored.id)
    return [
        Copy(d.chat_id, d.message_ids[0])
        for d in rows
        if d.message_ids and (d.chat_id in known) == channels
    ]


async def pushed_copies(storage: Storage, stored: StoredBrief) -> list[Copy]:
    return await _recorded_copies(storage, stored, channels=False)


async def channel_posts(storage: Storage, stored: StoredBrief) -> list[Copy]:
    return await _recorded_copies(storage, stored, channels=True)


async def inline_copies(storage: Storage, stored: StoredBrief) -> list[Copy]:
    """Messages shared through inline mode that Telegram reported (inline feedback)."""
    shared = await storage.inline_copies.of_brief(stored.id)
    return [Copy(inline_message_id=copy.inline_message_id) for copy in shared]


def _pushed_look(renderer: Renderer, stored: StoredBrief, bot_username: str) -> Reply:
    # The summary with its buttons, exactly like a fresh `/brief`.
    return render_part(renderer, stored, "summary")


def _inline_look(renderer: Renderer, stored: StoredBrief, bot_username: str) -> Reply:
    message = shared_message(renderer, bot_username, stored)
    return Reply([message.text], message.keyboard)


PUSHED = CopyKind("pushed", pushed_copies, _pushed_look)
CHANNEL = CopyKind("channel", channel_posts, channel_post)
INLINE = CopyKind("inline", inline_copies, _inline_look)
COPY_KINDS: tuple[CopyKind, ...] = (PUSHED, CHANNEL, INLINE)


async def correct_copies(
    bot: Bot,
    storage: Storage,
    renderer: Renderer,
    stored: StoredBrief,
    kinds: Sequence[CopyKind] = COPY_KINDS,
) -> list[KindCount]:
    """Every copy shows the brief's current version; a count per kind, in `kinds` order.

    A copy's first message is edited: a summary fits one message.
    """
    counts = []
    for kind in kinds:
        look = kind.render(renderer, stored, bot.username)
        copies = await kind.find(storage, stored)
        counts.append(await _edit_all(bot, kind.name, copies, look.texts[0], look.keyboard))
    return counts


async def refresh_copy(
    bot: Bot, renderer: Renderer, stored: StoredBrief, kind: CopyKind, copy: Copy
) -> None:
    """One copy brought to where its brief is now: its current version, or the withdrawn
    note (a copy sent from something older, such as an inline answer Telegram kept)."""
    if stored.retracted_at is not None:
        await _edit_one(bot, copy, _withdrawn_note(renderer, stored), None)
        return
    look = kind.render(renderer, stored, bot.username)
    await _edit_one(bot, copy, look.texts[0], look.keyboard)


def _withdrawn_note(renderer: Renderer, stored: StoredBrief) -> str:
    return renderer.render("copy_withdrawn.html", title=stored.brief.title)


async def withdraw_copies(
    bot: Bot,
    storage: Storage,
    renderer: Renderer,
    stored: StoredBrief,
    kinds: Sequence[CopyKind] = COPY_KINDS,
) -> list[KindCount]:
    """Every copy becomes the withdrawn note, without buttons that would open the brief."""
    note = _withdrawn_note(renderer, stored)
    return [
        await _edit_all(bot, kind.name, await kind.find(storage, stored), note, None)
        for kind in kinds
    ]


async def _edit_all(
    bot: Bot, kind: str, copies: Sequence[Copy], text: str, keyboard: InlineKeyboardMarkup | None
) -> KindCount:
    count = KindCount(kind)
    for copy in copies:
        outcome = await _edit_one(bot, copy, text, keyboard)
        if outcome == "edited":
            count.edited += 1
        elif outcome == "unchanged":
            count.unchanged += 1
        else:
            count.failed += 1
    return count


async def _edit_one(bot: Bot, copy: Copy, text: str, keyboard: InlineKeyboardMarkup | None) -> str:
    try:
        await bot.edit_message_text(
            text,
            chat_id=copy.chat_id,
            message_id=copy.message_id,
            inline_message_id=copy.inline_message_id,
            reply_markup=keyboard,
        )
    except BadRequest as error:
        if not_modified(error):
            return "unchanged"
        # Deleted by the reader, too old to edit, or the bot's rights taken away.
        log.info("copy %s not edited: %s", copy, error.message)
        return "failed"
    except TelegramError as error:
        # Blocked by the reader, a timeout, a server error: this copy stays as it was.
        log.info("copy %s not edited: %s", copy, error.message)
        return "failed"
    return "edited"
