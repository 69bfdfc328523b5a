"""What every handler shares, readers' (bot/telegram/handlers/) and admins'
(bot/telegram/admin/): sending the core's replies, the update's ids, the job queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from telegram import Bot, CallbackQuery, Update
from telegram.ext import JobQueue

from bot.core.chat import Reply
from bot.telegram.bot_api import delivered
from bot.telegram.context import BotContext, ChatData
from bot.telegram.keyboards import Keyboards


async def send_reply(context: BotContext, chat_id: int, reply: Reply) -> bool:
    """Every reply to a chat goes this way; False when the chat refused it."""
    return await deliver(context.bot, context.keyboards, chat_id, reply) is not None


async def deliver(bot: Bot, keyboards: Keyboards, chat_id: int, reply: Reply) -> list[int] | None:
    """The messages' ids. A chat that refuses them as Telegram lets any chat refuse
    (blocked, removed the bot, does not let it write) gets none of the rest: logged, not
    raised, so it is nobody's error to report; None then."""
    sent = []
    last = len(reply.texts) - 1
    for index, text in enumerate(reply.texts):
        markup = keyboards.markup(reply.keyboard) if index == last else None
        message = await delivered(
            bot.send_message(chat_id, text, reply_markup=markup), "reply", chat_id
        )
        if message is None:
            return None
        sent.append(message.message_id)
    return sent


async def answer_press(query: CallbackQuery, text: str | None = None) -> None:
    """Answers a button press (the client's spinner stops); a press Telegram no longer
    takes an answer for (about 10 s later, or answered twice) is logged, not raised."""
    chat_id = query.message.chat.id if query.message is not None else None
    await delivered(query.answer(text), "button answer", chat_id)


def job_queue(context: BotContext) -> JobQueue[BotContext]:
    # PTB types CallbackContext.job_queue with an unbound type variable; the
    # application's queue runs callbacks with this very context type.
    assert context.job_queue is not None, "installed with the job-queue extra"
    return cast("JobQueue[BotContext]", context.job_queue)


def chat_data_of(context: BotContext) -> ChatData:
    assert context.chat_data is not None, "every admin update names its chat"
    return context.chat_data


def chat_of(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def user_of(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def now() -> datetime:
    return datetime.now(UTC)
