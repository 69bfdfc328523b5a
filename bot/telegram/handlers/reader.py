"""Reader commands and buttons: /start, /help, /brief, /facts, /sources, /narratives."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.core.chat import PARTS, Part, Reply, brief_number
from bot.core.reading import (
    Reason,
    Refusal,
    find_brief,
    parse_brief_id,
    render_part,
    render_refusal,
)
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import ButtonHandler, Callback, command
from bot.telegram.keyboards import parse_part_data
from bot.telegram.replies import answer_press, send_reply

# What start_parameter() writes: `b12` opens brief 12, `b12-facts` its facts.
_DEEP_LINK = re.compile(r"b(\d+)(?:-(facts|sources|narratives))?")
_PARTS: dict[str | None, Part] = {part: part for part in PARTS}


async def start_command(update: Update, context: BotContext) -> None:
    """`/start`, or `/start b12` (`b12-facts`, ...) from a deep link to brief 12 (its facts)."""
    link = _DEEP_LINK.fullmatch(context.args[0]) if context.args else None
    if link:
        brief_id = brief_number(link[1])
        if brief_id is None:  # a number no brief can have: unknown, like any missing brief
            unknown = Refusal(Reason.UNKNOWN, {"brief_id": link[1][:24]})
            await _send(update, context, render_refusal(context.renderer, unknown))
            return
        await _show(update, context, _PARTS.get(link[2], "summary"), brief_id)
        return
    await _send(update, context, Reply([context.renderer.render("start.html")]))


async def help_command(update: Update, context: BotContext) -> None:
    await _send(update, context, Reply([context.renderer.render("help.html")]))


def part_command(part: Part, command: str) -> Callback:
    async def show_part(update: Update, context: BotContext) -> None:
        brief_id = parse_brief_id(command, context.args or [])
        if isinstance(brief_id, Refusal):
            await _send(update, context, render_refusal(context.renderer, brief_id))
            return
        await _show(update, context, part, brief_id)

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
    await _show(update, context, request.part, request.brief_id)


async def stale_button(update: Update, context: BotContext) -> None:
    """Any press no other handler took: answered, so the client stops its spinner."""
    if update.callback_query is not None:
        await answer_press(update.callback_query, context.renderer.render("stale_button.txt"))


async def _show(update: Update, context: BotContext, part: Part, brief_id: int | None) -> None:
    user = update.effective_user
    assert user is not None
    found = await find_brief(context.storage, user.id, brief_id, latest_first=part == "summary")
    if isinstance(found, Refusal):
        await _send(update, context, render_refusal(context.renderer, found))
        return
    await context.storage.readers.set_last_opened(user.id, found.id)
    await _send(update, context, render_part(context.renderer, found, part))


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
