"""Admin uploads: a paste (joined from the parts a client cut it into) or a file, parsed
beside the bot, then a preview to publish or a refusal listing every problem. Read from
Telegram here (the message, the file downloaded, the paste's timers); what becomes of an
upload is the core's (bot/core/publishing/uploads.py)."""

from __future__ import annotations

from collections.abc import Collection

from telegram import Message, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.core.publishing import paste, uploads
from bot.telegram.admin.messages import is_own_message, message_links
from bot.telegram.admin.typing import typing, typing_while
from bot.telegram.context import BotContext
from bot.telegram.replies import job_queue, now, send_reply


async def upload_text(update: Update, context: BotContext) -> None:
    """A part of a paste: stored, and parsed once no further part follows."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    if not is_own_message(message):
        await send_reply(context, message.chat_id, uploads.not_own(context.renderer))
        return
    arrival = await paste.add_part(
        context.storage,
        message.chat_id,
        message.message_id,
        message.text,
        message_links(message),
        now(),
    )
    if arrival is not None:  # None: this message was stored before, its timer is set
        _restart_timer(context, message, arrival)


def _restart_timer(context: BotContext, message: Message, arrival: int) -> None:
    """Join the paste once no part follows this one, unless a newer part's timer is set
    (paste.newer_timer_waiting). No await in between."""
    name = paste.timer_name(message.chat_id)
    jobs = job_queue(context)
    waiting = jobs.get_jobs_by_name(name)
    if paste.newer_timer_waiting((j.data for j in waiting if isinstance(j.data, int)), arrival):
        return
    for job in waiting:
        job.schedule_removal()
    jobs.run_once(
        paste_complete,
        paste.PASTE_WINDOW_SECONDS,
        chat_id=message.chat_id,
        user_id=message.from_user.id if message.from_user else message.chat_id,
        data=arrival,
        name=name,
    )


async def paste_complete(context: BotContext) -> None:
    """A paste timer ran out: if its part is still the newest (in any process), the parts
    joined and answered with a preview or refusal; the chat shows "typing…" while the
    paste is read."""
    job = context.job
    assert job is not None
    assert job.chat_id is not None
    assert job.user_id is not None
    assert isinstance(job.data, int)
    reply = await uploads.receive_paste(
        context.storage,
        context.renderer,
        typing_while(context.bot, job.chat_id, context.upload_parser.parse),
        chat_id=job.chat_id,
        admin_id=job.user_id,
        last=job.data,
        clock=now,
    )
    if reply is not None:
        await send_reply(context, job.chat_id, reply)


async def upload_document(update: Update, context: BotContext) -> None:
    """A file: refused by its name and size, or downloaded and read, the chat showing
    "typing…" meanwhile."""
    message = update.effective_message
    assert message is not None
    document = message.document
    assert document is not None
    chat_id = message.chat_id
    refused = (
        uploads.document_refusal(context.renderer, document.file_name, document.file_size)
        if is_own_message(message)
        else uploads.not_own(context.renderer)
    )
    if refused is not None:
        await send_reply(context, chat_id, refused)
        return
    async with typing(context.bot, chat_id):
        content = bytes(await (await document.get_file()).download_as_bytearray())
        reply = await uploads.receive_document(
            context.storage,
            context.renderer,
            context.upload_parser.parse,
            chat_id=chat_id,
            admin_id=message.from_user.id if message.from_user else chat_id,
            file_name=document.file_name,
            content=content,
            clock=now,
        )
    await send_reply(context, chat_id, reply)


def handlers(admin_ids: Collection[int]) -> list[BaseHandler[Update, BotContext, None]]:
    """An admin's text (not a command) and files, in their private chat."""
    message = (
        filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    )
    return [
        MessageHandler(message & filters.TEXT & ~filters.COMMAND, upload_text),
        MessageHandler(message & filters.Document.ALL, upload_document),
    ]
