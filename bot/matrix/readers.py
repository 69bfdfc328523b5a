"""Readers' commands in Matrix: `!brief [N]`, `!facts`, `!sources`, `!narratives`,
`!listen`, `!archive [page]`, `!search words`, `!help`, with Telegram's meanings: each calls
the same core function Telegram's handler calls (bot/telegram/handlers/)."""

from __future__ import annotations

from bot.core import finding
from bot.core.audio import listening
from bot.core.chat import Part
from bot.core.reading import help_reply, open_part_by_command
from bot.core.subscriptions.timing import utc_now
from bot.matrix.context import MatrixHandler, MatrixServices, Message, answer


def part_handler(part: Part, name: str) -> MatrixHandler:
    async def show_part(services: MatrixServices, message: Message) -> None:
        core = services.core
        reply = await open_part_by_command(
            core.storage, core.renderer, message.reader_id, part, name, message.args
        )
        await answer(services, message, reply)

    return show_part


async def listen_handler(services: MatrixServices, message: Message) -> None:
    core = services.core
    reply = await listening.listen_by_command(
        services.messenger,
        core.storage,
        core.renderer,
        chat_id=message.chat_id,
        reader_id=message.reader_id,
        args=message.args,
        making=core.config.audio.enabled,
        at=utc_now(),
    )
    await answer(services, message, reply)


async def archive_handler(services: MatrixServices, message: Message) -> None:
    """`!archive` (the newest page) or `!archive 2`: Matrix has no Previous and Next to
    press, so the page is a number (the footer names the next ones)."""
    page = _page(message.args)
    core = services.core
    await answer(services, message, await finding.archive_page(core.storage, core.renderer, page))


def _page(args: list[str]) -> int:
    if len(args) == 1 and args[0].isascii() and args[0].isdigit() and len(args[0]) <= 6:
        return max(int(args[0]) - 1, 0)
    return 0


async def search_handler(services: MatrixServices, message: Message) -> None:
    core = services.core
    reply = await finding.search_results(core.storage, core.renderer, message.argument)
    await answer(services, message, reply)


async def help_handler(services: MatrixServices, message: Message) -> None:
    # Matrix has no /id: its ids are names people already see.
    await answer(services, message, help_reply(services.core.renderer, identity_command=False))
