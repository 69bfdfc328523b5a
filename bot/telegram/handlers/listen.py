"""`/listen [N]`, the Listen button and the `b12-listen` deep link: the brief's voice note
sent as the core decides (bot/core/audio/listening.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.core.audio import listening
from bot.core.chat import Reply
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import ButtonHandler, command
from bot.telegram.keyboards import parse_listen_data
from bot.telegram.replies import answer_press, now, send_reply, user_of


async def listen_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    reply = await listening.listen_by_command(
        services.messenger,
        services.storage,
        services.renderer,
        chat_id=chat.id,
        reader_id=user_of(update),
        args=context.args or [],
        making=services.config.audio.enabled,
        at=now(),
    )
    await _answer(context, chat.id, reply)


async def listen_pressed(update: Update, context: BotContext) -> None:
    """A press on Listen: answered at once, the voice note sent after."""
    query = update.callback_query
    assert query is not None
    press = parse_listen_data(query.data)
    chat = update.effective_chat
    if press is None or chat is None:
        await answer_press(query, context.renderer.render("stale_button.txt"))
        return
    await answer_press(query)
    await send_recording(update, context, chat.id, press.brief_id)


async def send_recording(
    update: Update, context: BotContext, chat_id: int, brief_id: int | None
) -> None:
    """The brief's voice note to the chat (from a press, a command or a deep link)."""
    services = context.services
    reply = await listening.listen(
        services.messenger,
        services.storage,
        services.renderer,
        chat_id=chat_id,
        reader_id=user_of(update),
        brief_id=brief_id,
        making=services.config.audio.enabled,
        at=now(),
    )
    await _answer(context, chat_id, reply)


async def _answer(context: BotContext, chat_id: int, reply: Reply | None) -> None:
    if reply is not None:
        await send_reply(context, chat_id, reply)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        command("listen", listen_command),
        # Sends the voice note; never edits the pressed message.
        ButtonHandler(listen_pressed, r"^listen:", sends_only=True),
    ]
