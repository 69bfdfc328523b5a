"""Admin uploads, previews, publishing, corrections and tools; and the reader help for
anyone else who sends text or a file.

Every admin handler is gated at registration (`filters.User(admin_ids)` and private
chats only), so uploads in groups and from non-admins never reach these functions.
The rules live in `bot.admin`; these handlers read the update, call it and send.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from telegram import Bot, BotCommand, BotCommandScopeChat, Message, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    JobQueue,
    MessageHandler,
    filters,
)

from bot.admin import corrections, drafts, paste, uploads
from bot.context import BotContext, BriefApplication
from bot.keyboards import brief_number
from bot.reading import Reply, command_menu, send_reply
from bot.rendering import Renderer
from brief import BriefError
from brief.isolated import Upload
from storage import StoredBrief

log = logging.getLogger(__name__)

# Every admin-only command, so a non-admin who tries one gets the reader help.
ADMIN_COMMANDS = ("correct", "cancel", "retract", "history", "stats", "push")
DRAFT_CLEANUP_INTERVAL = timedelta(hours=1)
_MENU_SET = "admin_menu_set"


# -- uploads --------------------------------------------------------------------------------


async def upload_text(update: Update, context: BotContext) -> None:
    """A part of a paste: buffered, and parsed once no further part follows."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    if not uploads.is_own_message(message):
        await send_reply(context.bot, message.chat_id, _text(context, "admin_forward.html"))
        return
    # Appended before the first await, so parts handled concurrently keep their order.
    paste.buffer_for(_chat_data(context)).add(message.text, uploads.message_links(message))
    name = paste.timer_name(message.chat_id)
    jobs = _job_queue(context)
    for job in jobs.get_jobs_by_name(name):
        job.schedule_removal()
    jobs.run_once(
        paste_complete,
        paste.PASTE_WINDOW_SECONDS,
        chat_id=message.chat_id,
        user_id=message.from_user.id if message.from_user else None,
        name=name,
    )


async def paste_complete(context: BotContext) -> None:
    """The paste timer ran out: join the parts and answer with a preview or refusal."""
    job = context.job
    assert job is not None
    assert job.chat_id is not None
    assert job.user_id is not None
    joined = paste.take_buffer(_chat_data(context))
    if joined is None:
        return
    await _receive(context, job.chat_id, job.user_id, Upload(joined.text, links=joined.links))


async def upload_document(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    if not uploads.is_own_message(message):
        await send_reply(context.bot, message.chat_id, _text(context, "admin_forward.html"))
        return
    document = message.document
    try:
        uploads.check_document(document.file_name, document.file_size)
        content = bytes(await (await document.get_file()).download_as_bytearray())
        upload = uploads.document_upload(document.file_name, content)
    except uploads.Refused as refused:
        await send_reply(context.bot, message.chat_id, _refused(context, refused))
        return
    user_id = message.from_user.id if message.from_user else message.chat_id
    await _receive(context, message.chat_id, user_id, upload)


async def _receive(context: BotContext, chat_id: int, admin_id: int, upload: Upload) -> None:
    """Parse an upload; store a draft and show its preview, or list every problem."""
    renderer = context.renderer
    try:
        result = await context.upload_parser.parse(upload)
    except BriefError as error:
        await send_reply(context.bot, chat_id, drafts.refusal(renderer, error.problems))
        return
    correcting = await _correction_target(context)
    if isinstance(correcting, Reply):
        await send_reply(context.bot, chat_id, correcting)
        return
    reply = await drafts.open_draft(
        context.storage,
        renderer,
        admin_id=admin_id,
        chat_id=chat_id,
        result=result,
        correcting=correcting,
        now=_now(),
    )
    await send_reply(context.bot, chat_id, reply)


async def _correction_target(context: BotContext) -> StoredBrief | Reply | None:
    """The brief this upload corrects, if the admin sent /correct first."""
    brief_id = corrections.forget_correction(_chat_data(context))
    if brief_id is None:
        return None
    return await _live(context, brief_id)


async def _live(context: BotContext, brief_id: int) -> StoredBrief | Reply:
    """The brief if it is published and not withdrawn, else the admin's answer why not."""
    stored = await context.storage.briefs.get(brief_id)
    if stored is None or stored.retracted_at is not None:
        return _text(context, "admin_no_brief.html", brief_id=brief_id, stored=stored)
    return stored


# -- Publish and Discard ----------------------------------------------------------------------


async def draft_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    press = drafts.parse_draft_data(query.data)
    if press is None:
        await query.answer(context.renderer.render("stale_button.txt"))
        return
    outcome = await drafts.decide(
        context.storage,
        context.renderer,
        press,
        user_id=query.from_user.id,
        now=_now(),
        bot_username=context.bot.username,
    )
    await query.answer(outcome.answer)
    if outcome.close_preview and isinstance(query.message, Message):
        await _close_preview(query.message)
    if outcome.reply is not None and query.message is not None:
        await send_reply(context.bot, query.message.chat.id, outcome.reply)
    published = outcome.published
    if outcome.corrected and published is not None and query.message is not None:
        context.application.create_task(
            _edit_copies(context, query.message.chat.id, published),
            update=update,
            name=f"admin-edit-copies:{published.id}",
        )


async def _close_preview(message: Message) -> None:
    """Take the buttons off a preview that has been acted on."""
    try:
        await message.edit_reply_markup(reply_markup=None)
    except BadRequest as error:
        log.info("preview %s keeps its buttons: %s", message.message_id, error.message)


async def _edit_copies(context: BotContext, chat_id: int, stored: StoredBrief) -> None:
    report = await corrections.edit_sent_copies(
        context.bot, context.storage, context.renderer, stored
    )
    if report.edited or report.unchanged or report.unreachable:
        await send_reply(
            context.bot,
            chat_id,
            _text(context, "admin_copies_edited.html", stored=stored, report=report),
        )


# -- commands ---------------------------------------------------------------------------------


async def _live_brief(update: Update, context: BotContext, command: str) -> StoredBrief | None:
    """The published, not withdrawn, brief the command names; else the admin is told why."""
    chat_id = _chat_id(update)
    brief_id = _brief_argument(context)
    if brief_id is None:
        await _usage(context, chat_id, command)
        return None
    found = await _live(context, brief_id)
    if isinstance(found, Reply):
        await send_reply(context.bot, chat_id, found)
        return None
    return found


async def correct(update: Update, context: BotContext) -> None:
    stored = await _live_brief(update, context, "correct")
    if stored is None:
        return
    corrections.await_correction(_chat_data(context), stored.id)
    await send_reply(
        context.bot, _chat_id(update), _text(context, "admin_correct_prompt.html", stored=stored)
    )


async def cancel(update: Update, context: BotContext) -> None:
    brief_id = corrections.forget_correction(_chat_data(context))
    await send_reply(
        context.bot, _chat_id(update), _text(context, "admin_cancelled.html", brief_id=brief_id)
    )


async def retract(update: Update, context: BotContext) -> None:
    current = await _live_brief(update, context, "retract")
    if current is None:
        return
    stored = await context.storage.briefs.retract(current.id, by=_user_id(update), at=_now())
    await send_reply(
        context.bot,
        _chat_id(update),
        _text(context, "admin_retracted.html", brief_id=current.id, stored=stored),
    )


async def history(update: Update, context: BotContext) -> None:
    chat_id = _chat_id(update)
    brief_id = _brief_argument(context)
    if brief_id is None:
        await _usage(context, chat_id, "history")
        return
    stored = await context.storage.briefs.get(brief_id)
    if stored is None:
        await send_reply(
            context.bot,
            chat_id,
            _text(context, "admin_no_brief.html", brief_id=brief_id, stored=None),
        )
        return
    entries = await context.storage.briefs.history(brief_id)
    texts = context.renderer.messages("admin_history.html", stored=stored, entries=entries)
    await send_reply(context.bot, chat_id, Reply(texts))


async def stats(update: Update, context: BotContext) -> None:
    storage = context.storage
    text = context.renderer.render(
        "admin_stats.html",
        briefs=await storage.briefs.count(),
        subscribers=await storage.subscribers.counts(),
        push=await storage.pushes.last(),
    )
    await send_reply(context.bot, _chat_id(update), Reply([text]))


# -- everyone else ----------------------------------------------------------------------------


async def reader_help(update: Update, context: BotContext) -> None:
    """Text, a file or an admin command from someone who is not an admin: the reader help,
    and nothing stored."""
    await send_reply(context.bot, _chat_id(update), _text(context, "help.html"))


# -- start-up ---------------------------------------------------------------------------------


async def start(application: BriefApplication) -> None:
    """Give each admin the admin menu, and expire old drafts from now on."""
    await set_admincommand_menu(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            expire_drafts, DRAFT_CLEANUP_INTERVAL, first=0, name="admin-expire-drafts"
        )


async def set_admincommand_menu(application: BriefApplication) -> None:
    """Readers' commands plus the admin commands, in each admin's own chat only."""
    data = application.bot_data
    assert data.config is not None
    assert data.renderer is not None
    commands = await _admin_commands(application.bot, data.renderer)
    for admin_id in sorted(data.config.admin_ids):
        await _setcommand_menu(application.bot, admin_id, commands)


async def admin_menu_on_first_message(update: Update, context: BotContext) -> None:
    """An admin who first opened the bot after it started gets the menu now, once."""
    chat_data = _chat_data(context)
    if chat_data.get(_MENU_SET):
        return
    chat_data[_MENU_SET] = True  # before the first await: concurrent updates set it once
    commands = await _admin_commands(context.bot, context.renderer)
    await _setcommand_menu(context.bot, _chat_id(update), commands)


async def _admin_commands(bot: Bot, renderer: Renderer) -> list[BotCommand]:
    return [*await bot.get_my_commands(), *command_menu(renderer.lines("admin_commands.txt"))]


async def _setcommand_menu(bot: Bot, admin_id: int, commands: list[BotCommand]) -> None:
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(admin_id))
    except (BadRequest, Forbidden) as error:
        # An admin who has not opened the bot yet has no chat to scope a menu to.
        log.warning("no admin menu for %s until they write to the bot: %s", admin_id, error)


async def expire_drafts(context: BotContext) -> None:
    removed = await context.storage.drafts.delete_expired(_now())
    if removed:
        log.info("removed %s expired drafts", removed)


# -- registration -----------------------------------------------------------------------------


def handlers(admin_ids: Collection[int]) -> list[BaseHandler[Update, BotContext, None]]:
    """The admin handlers; register before any handler that takes plain text or files."""
    admin = filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE
    message = admin & filters.UpdateType.MESSAGE
    return [
        MessageHandler(message & filters.TEXT & ~filters.COMMAND, upload_text),
        MessageHandler(message & filters.Document.ALL, upload_document),
        CommandHandler("correct", correct, filters=admin),
        CommandHandler("cancel", cancel, filters=admin),
        CommandHandler("retract", retract, filters=admin),
        CommandHandler("history", history, filters=admin),
        CommandHandler("stats", stats, filters=admin),
        CallbackQueryHandler(draft_button, pattern=r"^draft:"),
    ]


def menu_handler(admin_ids: Collection[int]) -> BaseHandler[Update, BotContext, None]:
    """Runs beside the other handlers (its own group), never instead of them."""
    return MessageHandler(
        filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE,
        admin_menu_on_first_message,
        block=False,
    )


def reader_fallbacks() -> list[BaseHandler[Update, BotContext, None]]:
    """Anyone else's text, file or admin command in a private chat: the reader help.

    Registered after every other message handler, before the reader's fallback button.
    """
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler(ADMIN_COMMANDS, reader_help, filters=private),
        MessageHandler(
            private & ((filters.TEXT & ~filters.COMMAND) | filters.Document.ALL), reader_help
        ),
    ]


# -- helpers ----------------------------------------------------------------------------------


def _text(context: BotContext, template: str, **values: Any) -> Reply:
    return Reply([context.renderer.render(template, **values)])


def _refused(context: BotContext, refused: uploads.Refused) -> Reply:
    return Reply([context.renderer.render(refused.template, **refused.context)])


async def _usage(context: BotContext, chat_id: int, command: str) -> None:
    await send_reply(context.bot, chat_id, _text(context, "admin_usage.html", command=command))


def _brief_argument(context: BotContext) -> int | None:
    args = context.args or []
    return brief_number(args[0]) if len(args) == 1 else None


def _job_queue(context: BotContext) -> JobQueue[BotContext]:
    # PTB types CallbackContext.job_queue with an unbound type variable; the
    # application's queue runs callbacks with this very context type.
    assert context.job_queue is not None, "installed with the job-queue extra"
    return cast("JobQueue[BotContext]", context.job_queue)


def _chat_data(context: BotContext) -> MutableMapping[Any, Any]:
    assert context.chat_data is not None, "every admin update and paste timer names its chat"
    return context.chat_data


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _now() -> datetime:
    return datetime.now(UTC)
