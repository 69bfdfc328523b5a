"""How commands and presses are heard: commands only as written, presses only on the
buttons the bot put there. Both checked at registration, before any handler runs.

A command runs from the message that carries it, never from an edit of an earlier one:
PTB's CommandHandler hears edited messages too, and editing an old `/history 1` into
`/retract 1` would withdraw brief 1. An edited message runs nothing (an edited paste is not
read again either: uploads take new messages only).

A modified client can send a press with any callback data on any of the bot's messages it
can see, and Telegram passes the data on unchecked. A handler made here hears a press only
when its data is on a button of the message pressed, so no message can be made to act as
another: a preview's buttons stripped from a brief, a brief turned into an archive page or
a settings view. A press it does not hear falls to the last handler, which answers it
(stale_button.txt) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import BotCommand, CallbackQuery, InaccessibleMessage, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.telegram.context import BotContext

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]
# A new message, in any chat: not an edit, not a channel post.
WRITTEN = filters.UpdateType.MESSAGE


def command(
    names: str | tuple[str, ...], callback: Callback, only: filters.BaseFilter | None = None
) -> CommandHandler[BotContext, None]:
    """A command heard in new messages only, and (`only`) from whom and where it says."""
    return CommandHandler(names, callback, filters=WRITTEN if only is None else WRITTEN & only)


class ButtonHandler(CallbackQueryHandler[BotContext, None]):
    """A CallbackQueryHandler for the presses of buttons the pressed message carries.

    `sends_only`: the handler only sends new messages, never edits the pressed one, so a
    press on a message Telegram no longer shows the bot (an InaccessibleMessage, whose
    buttons cannot be read) still counts: a week-old digest's buttons keep working. A
    press that edits needs the buttons seen.
    """

    __slots__ = ("sends_only",)

    def __init__(self, callback: Callback, pattern: str, *, sends_only: bool = False) -> None:
        super().__init__(callback, pattern=pattern)
        self.sends_only = sends_only

    def check_update(self, update: object) -> bool | object | None:
        matched = super().check_update(update)
        if not matched or not isinstance(update, Update) or update.callback_query is None:
            return matched
        return matched if self._on_pressed(update.callback_query) else None

    def _on_pressed(self, query: CallbackQuery) -> bool:
        message = query.message
        if isinstance(message, InaccessibleMessage):
            return self.sends_only
        return isinstance(message, Message) and carries(message, query.data)


def carries(message: Message, data: str | None) -> bool:
    """Whether a button of the message's inline keyboard has this callback data."""
    markup = message.reply_markup
    if markup is None or data is None:
        return False
    return any(button.callback_data == data for row in markup.inline_keyboard for button in row)


def command_menu(lines: Sequence[str]) -> list[BotCommand]:
    """`name - description` lines, as rendered from a template, as a command menu."""
    pairs = (line.split(" - ", 1) for line in lines)
    return [BotCommand(name.strip(), description.strip()) for name, description in pairs]
