"""The copies already out after a correction or a withdrawal, and the admin's report on them."""

from __future__ import annotations

from telegram import Update

from bot.core.publishing import corrections
from bot.telegram.context import BotContext
from bot.telegram.replies import send_reply, text_reply
from storage import StoredBrief

# Held while the copies of a brief are edited, by whichever replica edits them.
REPLACING = "replace-copies"


async def replace_copies(
    context: BotContext, chat_id: int, stored: StoredBrief, *, withdrawn: bool
) -> None:
    """Edit every copy (or, `withdrawn`, turn it into the withdrawn note); then report the
    counts of each kind that has copies to the admin in `chat_id`.

    One replacement at a time, across replicas too, each with the brief as it is when
    its turn comes: a correction still editing when the brief is withdrawn (its edits
    paced, a 429 pause) cannot put the brief back over the withdrawn notes after them.
    """
    async with context.storage.exclusive(REPLACING):
        latest = await context.storage.briefs.get(stored.id)
        if latest is not None:
            stored, withdrawn = latest, latest.retracted_at is not None
        replace = corrections.withdraw_copies if withdrawn else corrections.correct_copies
        messenger = context.services.messenger
        counts = await replace(messenger, context.storage, context.renderer, stored)
    shown = [count for count in counts if count.total]
    if shown:
        reply = text_reply(
            context,
            "admin_copies_report.html",
            brief_id=stored.id,
            counts=shown,
            withdrawn=withdrawn,
        )
        await send_reply(context, chat_id, reply)


def start_replacing(
    context: BotContext, update: Update, chat_id: int, stored: StoredBrief, *, withdrawn: bool
) -> None:
    """In the background: thousands of edits are paced, and the admin's command is answered."""
    action = "withdraw" if withdrawn else "edit"
    context.application.create_task(
        replace_copies(context, chat_id, stored, withdrawn=withdrawn),
        update=update,
        name=f"admin-{action}-copies:{stored.id}",
    )
