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

from bot.core.subscriptions.settings import settings_view
from bot.core.subscriptions.subscribing import (
    BadTime,
    BadZone,
    Request,
    change_settings,
    local_due,
    parse_request,
    subscribe,
)
from bot.telegram.bot_api import delivered
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import ButtonHandler, command
from bot.telegram.keyboards import parse_settings_data
from bot.telegram.replies import answer_press
from storage import Subscriber

_MANAGERS = (ChatMember.OWNER, ChatMember.ADMINISTRATOR)
_GONE = (ChatMember.BANNED, ChatMember.LEFT)


async def subscribe_command(update: Update, context: BotContext) -> None:
    chat, message = await _managed_chat(update, context)
    if chat is None or message is None:
        return
    config = context.config
    request = parse_request(
        context.args or [],
        default_time=config.default_delivery_time,
        default_zone=config.default_timezone,
    )
    if isinstance(request, BadTime):
        await _say(message, context.renderer.render("subscribe_bad_time.html", text=request.text))
        return
    if isinstance(request, BadZone):
        text = context.renderer.render(
            "subscribe_unknown_zone.html",
            text=request.text,
            suggestions=request.suggestions,
            clock=request.clock,
        )
        await _say(message, text)
        return
    subscriber = await subscribe(context.storage, chat.id, request, now=datetime.now(UTC))
    text = context.renderer.render(
        "subscribe_done.html", subscriber=subscriber, next=local_due(subscriber)
    )
    await _say(message, text)


async def unsubscribe_command(update: Update, context: BotContext) -> None:
    chat, message = await _managed_chat(update, context)
    if chat is None or message is None:
        return
    stopped = await context.storage.subscribers.unsubscribe(chat.id)
    template = "subscribe_stopped.html" if stopped else "subscribe_not_subscribed.html"
    await _say(message, context.renderer.render(template))


async def settings_command(update: Update, context: BotContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None
    assert message is not None
    subscriber = await context.storage.subscribers.get(chat.id)
    text, keyboard = _settings_view(context, subscriber)
    await _say(message, text, keyboard)


async def settings_button(update: Update, context: BotContext) -> None:
    """A press under /settings: change the subscription, then redraw the same message."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    press = parse_settings_data(query.data)
    if press is None or chat is None:
        await answer_press(query, context.renderer.render("stale_button.txt"))
        return
    if not await _may_manage(update, context):
        who = "owner" if chat.type == ChatType.PRIVATE else "admins"
        await answer_press(query, context.renderer.render("settings_changed.txt", action=who))
        return
    config = context.config
    subscriber = await change_settings(
        context.storage,
        chat.id,
        press,
        defaults=Request(config.default_delivery_time, config.default_timezone),
        now=datetime.now(UTC),
    )
    await answer_press(query, context.renderer.render("settings_changed.txt", action=press.step))
    text, keyboard = _settings_view(context, subscriber)
    if _shows(query.message, text, keyboard):
        return
    # A double tap: the other press already drew this, and Telegram refuses a same edit.
    await delivered(query.edit_message_text(text, reply_markup=keyboard), "settings", chat.id)


async def member_changed(update: Update, context: BotContext) -> None:
    """The bot was blocked, kicked or let back in: pause or resume the chat's deliveries."""
    change = update.my_chat_member
    if change is None:
        return
    gone = change.new_chat_member.status in _GONE
    await context.storage.subscribers.set_blocked(change.chat.id, gone, at=datetime.now(UTC))


async def _say(message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """The answer in the command's chat; a chat that does not let the bot write is logged."""
    await delivered(message.reply_text(text, reply_markup=keyboard), "reply", message.chat_id)


def _settings_view(
    context: BotContext, subscriber: Subscriber | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    config = context.config
    view = settings_view(
        context.renderer,
        subscriber,
        default_time=config.default_delivery_time,
        default_zone=config.default_timezone,
    )
    return view.texts[0], context.keyboards.markup(view.keyboard)


def _shows(
    message: MaybeInaccessibleMessage | None, text: str, keyboard: InlineKeyboardMarkup | None
) -> bool:
    """Whether the pressed message already reads `text` under `keyboard` (nothing to redraw)."""
    if not isinstance(message, Message):
        return False
    return message.reply_markup == keyboard and message.text_html == text


async def _managed_chat(
    update: Update, context: BotContext
) -> tuple[Chat, Message] | tuple[None, None]:
    """The chat and the command's message, when its sender may manage the subscription;
    else (None, None), the sender told so."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None
    assert message is not None
    if not await _may_manage(update, context):
        await _say(message, context.renderer.render("subscribe_admins_only.html"))
        return None, None
    return chat, message


async def _may_manage(update: Update, context: BotContext) -> bool:
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
