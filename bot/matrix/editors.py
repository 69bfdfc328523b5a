"""Editors in Matrix: an admin (MATRIX_ADMIN_IDS) publishes from a direct chat with the bot.

A brief pasted as a message, or sent as a .txt, .md or .json file, gets the preview
Telegram's admins get (bot/matrix/uploads.py); `!publish 5` or `!discard 5` (the draft's
number, which the preview's last lines show) decides it; `!correct`, `!cancel`, `!retract`,
`!history`, `!push`, `!stats`, `!template` and the admin's `!help` mean what they mean in
Telegram. Each calls the core function Telegram's admin handler calls (bot/telegram/admin/).

Only an admin in a direct chat reaches these: anyone else's `!publish` (or an admin's in a
room, where its answers would be shown to every member) is answered with the readers' help
in a direct chat and left alone in a room, as Telegram's admin commands are gated.
"""

from __future__ import annotations

from bot.core.chat import DraftChoice, DraftStep, Reply
from bot.core.guide import READERS, admin_help_reply
from bot.core.publishing import admin_commands, corrections, drafts
from bot.core.publishing.admin_commands import ActorName
from bot.core.publishing.template import template_reply
from bot.core.push.broadcast import push_command
from bot.core.push.progress import ProgressMessage
from bot.core.subscriptions.timing import utc_now
from bot.matrix import readers
from bot.matrix.context import MatrixHandler, MatrixServices, Message, answer
from bot.matrix.ids import is_matrix
from bot.matrix.sync import UPLOAD
from bot.matrix.uploads import upload
from storage import StoredBrief


def admin_only(handler: MatrixHandler) -> MatrixHandler:
    """The handler for an admin in a direct chat; anyone else's direct chat gets the
    readers' help, a room nothing."""

    async def gated(services: MatrixServices, message: Message) -> None:
        if message.direct and message.sender in services.settings.admin_ids:
            await handler(services, message)
        elif message.direct:
            await readers.help_handler(services, message)

    return gated


# -- drafts ------------------------------------------------------------------------------


def draft_command(step: DraftStep) -> MatrixHandler:
    """`!publish 5`, `!discard 5`: the preview's Publish and Discard, by the draft's
    number (the commands under the preview name it)."""

    async def decide(services: MatrixServices, message: Message) -> None:
        core = services.core
        draft_id = admin_commands.brief_argument(message.args)
        if draft_id is None:
            await answer(services, message, admin_commands.usage(core.renderer, step))
            return
        outcome = await drafts.decide(
            core.storage,
            core.renderer,
            DraftChoice(draft_id, step),
            user_id=message.reader_id,
            chat_id=message.chat_id,
            now=utc_now(),
            link=lambda _: reader_link(services),
        )
        # Telegram shows `answer` in a pop-up over the preview; here it is the answer.
        if outcome.reply is not None:
            await answer(services, message, outcome.reply)
        elif outcome.answer is not None:
            await answer(services, message, Reply([outcome.answer]))
        published = outcome.published
        if outcome.corrected and published is not None:
            await _replace_copies(services, message, published, withdrawn=False)
        elif published is not None and (core.config.channel_ids or services.settings.room_ids):
            # To the channels and MATRIX_ROOM_IDS' rooms at once, not at the next tick.
            await core.channels.post_due()

    return decide


def reader_link(services: MatrixServices) -> str:
    """Where a reader opens the bot from Matrix: a chat with its account, where `!brief 5`
    reads the brief (Matrix has no link that opens a message to a bot)."""
    return f"https://matrix.to/#/{services.settings.user_id}"


async def _replace_copies(
    services: MatrixServices, message: Message, stored: StoredBrief, *, withdrawn: bool
) -> None:
    """Every copy already out, in either app (the core's messenger routes each chat to its
    own), edited as Telegram's admin commands do; then the report to this admin. The
    message's own task waits for it, as Telegram's background task does at shutdown."""
    core = services.core
    report = await corrections.replace_copies(
        core.messenger, core.storage, core.renderer, stored, withdrawn=withdrawn
    )
    await answer(services, message, report)


# -- published briefs --------------------------------------------------------------------


async def _correct(services: MatrixServices, message: Message) -> None:
    core = services.core
    reply = await admin_commands.start_correction(
        core.storage, core.renderer, chat_id=message.chat_id, args=message.args, now=utc_now()
    )
    await answer(services, message, reply)


async def _cancel(services: MatrixServices, message: Message) -> None:
    core = services.core
    reply = await admin_commands.cancel_correction(
        core.storage, core.renderer, chat_id=message.chat_id, now=utc_now()
    )
    await answer(services, message, reply)


async def _retract(services: MatrixServices, message: Message) -> None:
    core = services.core
    retraction = await admin_commands.retract_brief(
        core.storage, core.renderer, admin_id=message.reader_id, args=message.args, now=utc_now()
    )
    await answer(services, message, retraction.reply)
    if retraction.withdrawn is not None:
        await _replace_copies(services, message, retraction.withdrawn, withdrawn=True)


async def _history(services: MatrixServices, message: Message) -> None:
    """`!history 5`: a Matrix editor shown by their Matrix id, linked to matrix.to; a
    Telegram admin as Telegram's /history shows them."""
    storage = services.core.storage

    async def matrix_name(actor: int) -> ActorName | None:
        name = await storage.matrix.name_of(actor) if is_matrix(actor) else None
        return ActorName(name, f"https://matrix.to/#/{name}") if name else None

    reply = await admin_commands.brief_history(
        storage, services.core.renderer, message.args, names=matrix_name
    )
    await answer(services, message, reply)


async def _stats(services: MatrixServices, message: Message) -> None:
    core = services.core
    await answer(services, message, await admin_commands.statistics(core.storage, core.renderer))


async def _push(services: MatrixServices, message: Message) -> None:
    """`!push [N]`: the brief sent now to every subscriber, in either app, who has not had
    it; the answer's last message shows the push's progress, edited as it goes."""
    core = services.core
    started = await push_command(
        core.storage, core.renderer, admin_id=message.reader_id, args=message.args
    )
    sent = await services.messenger.send(message.chat_id, started.reply)
    if started.stored is None or not sent:
        return
    where = (message.chat_id, sent[-1])
    report = ProgressMessage(core.messenger, core.renderer, where, started.stored)
    core.push.start_push(started.stored, by=message.reader_id, on_progress=report, reports_to=where)


async def _template(services: MatrixServices, message: Message) -> None:
    await answer(services, message, template_reply(services.core.renderer))


async def editors_help(services: MatrixServices, message: Message) -> None:
    """An admin's `!help` in a direct chat: every admin command and the brief format;
    `!help readers`, and anyone else's `!help`, the readers' help as Matrix writes it."""
    admin = message.direct and message.sender in services.settings.admin_ids
    readers_asked = len(message.args) == 1 and message.args[0].lower() in READERS
    if not admin or readers_asked:
        await readers.help_handler(services, message)
        return
    # Matrix has no /id (MATRIX_ADMIN_IDS takes the names Element shows) and no recordings.
    reply = admin_help_reply(
        services.core.renderer, message.args, identity_command=False, recordings=False
    )
    await answer(services, message, reply)


def handlers() -> dict[str, MatrixHandler]:
    """The editors' commands and uploads, for bot/matrix/handlers.py's table (`help` is
    `editors_help`, which answers readers too)."""
    return {
        "publish": admin_only(draft_command("publish")),
        "discard": admin_only(draft_command("discard")),
        "correct": admin_only(_correct),
        "cancel": admin_only(_cancel),
        "retract": admin_only(_retract),
        "history": admin_only(_history),
        "push": admin_only(_push),
        "stats": admin_only(_stats),
        "template": admin_only(_template),
        UPLOAD: upload,  # the sync reader passes only an admin's, in a direct chat
    }
