"""Admin uploads: a paste (joined from the parts a client cut it into) or a file, parsed
beside the bot, then a preview to publish or a refusal listing every problem."""

from __future__ import annotations

from collections.abc import Collection

from telegram import Message, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.core.chat import Reply
from bot.core.publishing import drafts, paste, uploads
from bot.telegram.admin.messages import is_own_message, message_links
from bot.telegram.context import BotContext
from bot.telegram.replies import job_queue, live_brief, now, send_reply, text_reply
from brief import BriefError
from brief.isolated import Upload
from storage import StoredBrief


async def _not_own(context: BotContext, message: Message) -> None:
    await send_reply(context, message.chat_id, text_reply(context, "admin_forward.html"))


async def upload_text(update: Update, context: BotContext) -> None:
    """A part of a paste: stored, and parsed once no further part follows."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    if not is_own_message(message):
        await _not_own(context, message)
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
    """Join the paste once no part follows this one. Parts handled at once may finish
    storing out of order: a timer already set for a newer part is kept (this one would
    find that part and do nothing), an older one gives way. No await in between."""
    name = paste.timer_name(message.chat_id)
    jobs = job_queue(context)
    waiting = jobs.get_jobs_by_name(name)
    if any(isinstance(job.data, int) and job.data > arrival for job in waiting):
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
    """A paste timer ran out: if its part is still the newest (in any process), join the
    parts and answer with a preview or refusal."""
    job = context.job
    assert job is not None
    assert job.chat_id is not None
    assert job.user_id is not None
    assert isinstance(job.data, int)
    joined = await paste.take(context.storage, job.chat_id, job.data)
    if joined is None:
        return
    await _receive(context, job.chat_id, job.user_id, Upload(joined.text, links=joined.links))


async def upload_document(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    if not is_own_message(message):
        await _not_own(context, message)
        return
    document = message.document
    assert document is not None
    try:
        uploads.check_document(document.file_name, document.file_size)
        content = bytes(await (await document.get_file()).download_as_bytearray())
        upload = uploads.document_upload(document.file_name, content)
    except uploads.FileRefused as refused:
        await send_reply(context, message.chat_id, _refused(context, refused))
        return
    user_id = message.from_user.id if message.from_user else message.chat_id
    await _receive(context, message.chat_id, user_id, upload)


async def _receive(context: BotContext, chat_id: int, admin_id: int, upload: Upload) -> None:
    """Parse an upload; store a draft and show its preview, or list every problem."""
    renderer = context.renderer
    try:
        result = await context.upload_parser.parse(upload)
    except BriefError as error:
        await send_reply(context, chat_id, drafts.refusal(renderer, error.problems))
        return
    correcting = await _correction_target(context, chat_id)
    if isinstance(correcting, Reply):
        await send_reply(context, chat_id, correcting)
        return
    reply = await drafts.open_draft(
        context.storage,
        renderer,
        admin_id=admin_id,
        chat_id=chat_id,
        result=result,
        correcting=correcting,
        now=now(),
    )
    await send_reply(context, chat_id, reply)


async def _correction_target(context: BotContext, chat_id: int) -> StoredBrief | Reply | None:
    """The brief this upload corrects, if the admin sent /correct first."""
    brief_id = await drafts.take_correction(context.storage, chat_id, now())
    if brief_id is None:
        return None
    return await live_brief(context, brief_id)


def _refused(context: BotContext, refused: uploads.FileRefused) -> Reply:
    return Reply([context.renderer.render(refused.problem.value, **refused.context)])


def handlers(admin_ids: Collection[int]) -> list[BaseHandler[Update, BotContext, None]]:
    """An admin's text (not a command) and files, in their private chat."""
    message = (
        filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    )
    return [
        MessageHandler(message & filters.TEXT & ~filters.COMMAND, upload_text),
        MessageHandler(message & filters.Document.ALL, upload_document),
    ]
