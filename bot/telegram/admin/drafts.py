"""The preview's Publish and Discard buttons, and the job that drops expired drafts (and
the other leftovers of an admin's work)."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot.core.publishing import drafts
from bot.telegram.admin.copies import start_replacing
from bot.telegram.channel_jobs import post_now
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import ButtonHandler
from bot.telegram.keyboards import deep_link, parse_draft_data
from bot.telegram.replies import answer_press, now, send_reply
from bot.telegram.webhook.receiver import UPDATES_KEPT

log = logging.getLogger(__name__)


async def draft_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    press = parse_draft_data(query.data)
    message = query.message
    if press is None or not isinstance(message, Message):  # ButtonHandler saw the message
        await answer_press(query, context.renderer.render("stale_button.txt"))
        return
    outcome = await drafts.decide(
        context.storage,
        context.renderer,
        press,
        user_id=query.from_user.id,
        chat_id=message.chat.id,
        now=now(),
        link=lambda brief_id: deep_link(context.bot.username, brief_id),
    )
    await answer_press(query, outcome.answer)
    if outcome.close_preview:
        await _close_preview(message)
    if outcome.reply is not None:
        await send_reply(context, message.chat.id, outcome.reply)
    published = outcome.published
    if outcome.corrected and published is not None:
        start_replacing(context, update, message.chat.id, published, withdrawn=False)
    elif published is not None:
        post_now(context)  # to the channels at once, not at the next tick


async def _close_preview(message: Message) -> None:
    """Take the buttons off a preview that has been acted on."""
    try:
        await message.edit_reply_markup(reply_markup=None)
    except BadRequest as error:
        log.info("preview %s keeps its buttons: %s", message.message_id, error.message)


async def expire_leftovers(context: BotContext) -> None:
    """Drop what waited too long: what the core drops of an admin's work (drafts, a
    /correct never followed by an upload, a paste's parts), and webhook updates too old to
    come again. Every replica may run it: each is one DELETE of what is past its time."""
    moment = now()
    await drafts.drop_expired(context.storage, moment)
    await context.storage.updates.forget_before(moment - UPDATES_KEPT)


def handler() -> BaseHandler[Update, BotContext, None]:
    return ButtonHandler(draft_button, r"^draft:")
