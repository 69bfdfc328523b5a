"""Subscription commands and buttons: /subscribe, /unsubscribe, /settings, and blocks.

In a group only its administrators may change the subscription; the check asks Telegram
(getChatMember) at the moment of the change, so a demoted admin loses the right at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import (
    Chat,
    ChatMember,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ChatMemberHandler

from bot.core.chat import Reply
from bot.core.subscriptions.commands import (
    managers_only,
    press_refused,
    press_settings,
    settings_reply,
    subscribe_reply,
    unsubscribe_reply,
)
from bot.core.subscriptions.subscribing import Request
from bot.telegram.bot_api import delivered
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import ButtonHandler, command
from bot.telegram.keyboards import parse_settings_data
from bot.telegram.replies import answer_press

_MANAGERS = (ChatMember.OWNER, ChatMember.ADMINISTRATOR)
_GONE = (ChatMember.BANNED, ChatMember.LEFT)


async def subscribe_command(update: Update, context: BotContext) -> None:
    message = await managed_chat(update, context)
    if message is None:
        return
    reply = await subscribe_reply(
        context.storage,
        context.renderer,
        message.chat_id,
        context.args or [],
        defaults=_defaults(context),
        now=datetime.now(UTC),
        app_language=app_language(update),
    )
    await answer_in_chat(context, message, reply)


async def unsubscribe_command(update: Update, context: BotContext) -> None:
    message = await managed_chat(update, context)
    if message is None:
        return
    reply = await unsubscribe_reply(context.storage, context.renderer, message.chat_id)
    await answer_in_chat(context, message, reply)


async def settings_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    reply = await settings_reply(
        context.storage, context.renderer, message.chat_id, defaults=_defaults(context)
    )
    await answer_in_chat(context, message, reply)


async def settings_button(update: Update, context: BotContext) -> None:
    """A press under /settings: change the subscription, then redraw the same message."""
    press = parse_settings_data(update.callback_query.data if update.callback_query else None)
    chat = await pressed_chat(update, context, known=press is not None)
    if chat is None or press is None:
        return
    pressed = await press_settings(
        context.storage,
        context.renderer,
        chat.id,
        press,
        defaults=_defaults(context),
        now=datetime.now(UTC),
        app_language=app_language(update),
    )
    await redraw(update, context, pressed.notice, pressed.view, "settings")


async def pressed_chat(update: Update, context: BotContext, *, known: bool) -> Chat | None:
    """The chat of a press under a chat's settings (/settings, /language) that may change
    them; else None, the press answered: a button it does not know (`known` False) as stale,
    anyone but who may manage the chat refused."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    if not known or chat is None:
        await answer_press(query, context.renderer.render("stale_button.txt"))
        return None
    if not await may_manage(update, context):
        refused = press_refused(context.renderer, private_chat=chat.type == ChatType.PRIVATE)
        await answer_press(query, refused)
        return None
    return chat


async def redraw(update: Update, context: BotContext, notice: str, view: Reply, what: str) -> None:
    """Answer the press with `notice`, then show `view` in the pressed message."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    assert chat is not None
    await answer_press(query, notice)
    text, keyboard = view.texts[0], context.keyboards.markup(view.keyboard)
    if shows(query.message, text, keyboard):
        return
    # A double tap: the other press already drew this, and Telegram refuses a same edit.
    await delivered(query.edit_message_text(text, reply_markup=keyboard), what, chat.id)


async def member_changed(update: Update, context: BotContext) -> None:
    """The bot was blocked, kicked or let back in: pause or resume the chat's deliveries."""
    change = update.my_chat_member
    if change is None:
        return
    gone = change.new_chat_member.status in _GONE
    await context.storage.subscribers.set_blocked(change.chat.id, gone, at=datetime.now(UTC))


async def answer_in_chat(context: BotContext, message: Message, reply: Reply) -> None:
    """The answer in the command's chat, as a reply to it (in a group PTB's reply_text quotes
    the command); a chat that does not let the bot write is logged."""
    last = len(reply.texts) - 1
    for index, text in enumerate(reply.texts):
        markup = context.keyboards.markup(reply.keyboard) if index == last else None
        sent = message.reply_text(text, reply_markup=markup)
        if await delivered(sent, "reply", message.chat_id) is None:
            return


def app_language(update: Update) -> str | None:
    """The sender's Telegram language_code (`pt-br`), when Telegram gave one."""
    user = update.effective_user
    return user.language_code if user is not None else None


def _defaults(context: BotContext) -> Request:
    """What `/subscribe` without a time or zone, and the Subscribe button, start with."""
    return Request(context.config.default_delivery_time, context.config.default_timezone)


def shows(
    message: MaybeInaccessibleMessage | None, text: str, keyboard: InlineKeyboardMarkup | None
) -> bool:
    """Whether the pressed message already reads `text` under `keyboard` (nothing to redraw)."""
    if not isinstance(message, Message):
        return False
    return message.reply_markup == keyboard and message.text_html == text


async def managed_chat(update: Update, context: BotContext) -> Message | None:
    """The command's message, when its sender may manage the chat's subscription; else
    None, the sender told so."""
    message = update.effective_message
    assert update.effective_chat is not None
    assert message is not None
    if not await may_manage(update, context):
        await answer_in_chat(context, message, managers_only(context.renderer))
        return None
    return message


async def may_manage(update: Update, context: BotContext) -> bool:
    """In a private chat its own user; in a group, its administrators (anonymous ones
    included)."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        # A press can reach the bot from someone else (a forwarded copy of the settings
        # message keeps its buttons): only the chat's own user may change its subscription.
        user = update.effective_user
        return user is not None and user.id == chat.id
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        # An anonymous administrator writes as the group itself.
        return message.sender_chat.id == chat.id
    user = update.effective_user
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in _MANAGERS


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        command("subscribe", subscribe_command),
        command("unsubscribe", unsubscribe_command),
        command("settings", settings_command),
        ButtonHandler(settings_button, r"^sub:"),
        ChatMemberHandler(member_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    ]
