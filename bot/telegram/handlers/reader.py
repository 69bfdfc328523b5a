"""Reader commands and buttons: /start, /help, /brief, /facts, /sources, /narratives."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.core.chat import Listen, Part, Reply
from bot.core.reading import help_reply, open_part, open_part_by_command, start_reply
from bot.telegram.context import BotContext
from bot.telegram.handlers.listen import send_recording
from bot.telegram.handlers.registration import ButtonHandler, Callback, command
from bot.telegram.keyboards import parse_part_data, parse_start_parameter
from bot.telegram.replies import answer_press, send_reply, user_of


async def start_command(update: Update, context: BotContext) -> None:
    """`/start`, or `/start b12` (`b12-facts`, ...) from a deep link to brief 12 (its facts;
    `b12-listen`: its voice note)."""
    link = parse_start_parameter(context.args[0]) if context.args else None
    if isinstance(link, Listen):
        if update.effective_chat is not None:
            await send_recording(update, context, update.effective_chat.id, link.brief_id)
        return
    reply = await start_reply(context.storage, context.renderer, user_of(update), link)
    await _send(update, context, reply)


async def help_command(update: Update, context: BotContext) -> None:
    await _send(update, context, help_reply(context.renderer))


def part_command(part: Part, command: str) -> Callback:
    async def show_part(update: Update, context: BotContext) -> None:
        reply = await open_part_by_command(
            context.storage, context.renderer, user_of(update), part, command, context.args or []
        )
        await _send(update, context, reply)

    return show_part


async def button(update: Update, context: BotContext) -> None:
    """A press on Facts, Sources, Narratives or Summary; always answered."""
    query = update.callback_query
    assert query is not None
    request = parse_part_data(query.data)
    if request is None:
        await answer_press(query, context.renderer.render("stale_button.txt"))
        return
    await answer_press(query)
    reply = await open_part(
        context.storage, context.renderer, user_of(update), request.part, request.brief_id
    )
    await _send(update, context, reply)


async def stale_button(update: Update, context: BotContext) -> None:
    """Any press no other handler took: answered, so the client stops its spinner."""
    if update.callback_query is not None:
        await answer_press(update.callback_query, context.renderer.render("stale_button.txt"))


async def _send(update: Update, context: BotContext, reply: Reply) -> None:
    chat = update.effective_chat
    if chat is None:  # a press on a message too old for Telegram to name its chat
        return
    await send_reply(context, chat.id, reply)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        command("start", start_command),
        command("help", help_command),
        command("brief", part_command("summary", "brief")),
        command("facts", part_command("facts", "facts")),
        command("sources", part_command("sources", "sources")),
        command("narratives", part_command("narratives", "narratives")),
        # Sends the part; never edits the pressed message.
        ButtonHandler(button, r"^brief:", sends_only=True),
    ]


def fallback_button() -> CallbackQueryHandler[BotContext, None]:
    """Registered last: answers presses that no other handler claimed."""
    return CallbackQueryHandler(stale_button)
