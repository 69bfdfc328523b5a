"""Editors in Matrix: an admin (MATRIX_ADMIN_IDS) publishes from a direct chat with the bot.

A brief pasted as a message, or sent as a .txt, .md or .json file, gets the preview
Telegram's admins get; `!publish 5` or `!discard 5` (the draft's number, which the preview's
last lines show) decides it; `!correct`, `!cancel`, `!retract`, `!history`, `!push`,
`!stats`, `!template` and the admin's `!help` mean what they mean in Telegram. Each calls
the core function Telegram's admin handler calls (bot/telegram/admin/); what is read here is
Matrix's: a message's body and links, a file's name, declared size and bytes.

Only an admin in a direct chat reaches these: anyone else's `!publish` (or an admin's in a
room, where its answers would be shown to every member) is answered with the readers' help
in a direct chat and left alone in a room, as Telegram's admin commands are gated.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from mautrix.client import ClientAPI
from mautrix.errors import MatrixConnectionError, MatrixRequestError
from mautrix.types import ContentURI, RoomID, SpecVersions

from bot.core.chat import DraftChoice, DraftStep, Reply
from bot.core.guide import READERS, admin_help_reply
from bot.core.publishing import admin_commands, corrections, drafts, uploads
from bot.core.publishing.template import template_reply
from bot.core.push.broadcast import push_command
from bot.core.push.progress import ProgressMessage
from bot.matrix import readers
from bot.matrix.context import Handler, MatrixServices, Message, answer, now
from bot.matrix.sync import UPLOAD
from brief import MAX_BRIEF_BYTES
from brief.isolated import Link, Upload
from storage import StoredBrief

log = logging.getLogger(__name__)
# What a file is sent as: Element sends an image, a sound or a video under its own type,
# and each is turned away by its name as a file that is not a brief would be.
FILE_TYPES = frozenset({"m.file", "m.image", "m.audio", "m.video"})
# A link written the way Element's composer takes it, `[Harbor Times](https://…)`: the
# body keeps it as typed (its HTML has the anchor), so the brief reads the anchor text and
# is given the address beside it, as a Telegram text link is.
_MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s()<>]+)\)")
TYPING_MS = 30_000  # "typing…" while an upload is read; ended when the answer is ready
DOWNLOAD_CHUNK = 64 * 1024


def admin_only(handler: Handler) -> Handler:
    """The handler for an admin in a direct chat; anyone else's direct chat gets the
    readers' help, a room nothing."""

    async def gated(services: MatrixServices, message: Message) -> None:
        if message.direct and message.sender in services.settings.admin_ids:
            await handler(services, message)
        elif message.direct:
            await readers.help_command(services, message)

    return gated


# -- uploads -----------------------------------------------------------------------------


async def upload(services: MatrixServices, message: Message) -> None:
    """An admin's message that is no command, in a direct chat (bot/matrix/sync.py): a
    pasted brief or a file, answered with its preview or what is wrong with it."""
    content = message.content
    kind = content.get("msgtype")
    if kind == "m.text":
        text, links = pasted(content)
        await _receive(services, message, Upload(text, links=links))
    elif kind in FILE_TYPES and isinstance(content.get("url"), str):
        await _receive_file(services, message, content)
    # Anything else (a notice, a location, a file in an encrypted room) is no upload.


def pasted(content: Mapping[str, Any]) -> tuple[str, tuple[Link, ...]]:
    """A message's text as typed, its markdown links read as (anchor, address); a reply's
    quote of the message it answers (the corrected brief sent in reply to `!correct`'s
    prompt, say) left out."""
    body = _without_quote(str(content.get("body", "")), content.get("m.relates_to"))
    links = tuple((anchor, url) for anchor, url in _MARKDOWN_LINK.findall(body))
    return _MARKDOWN_LINK.sub(r"\1", body), links


def _without_quote(body: str, relation: object) -> str:
    """A reply's body without its fallback: the quoted lines (`> …`) it starts with and the
    empty line after them, which clients that know replies do not show."""
    if not isinstance(relation, Mapping) or "m.in_reply_to" not in relation:
        return body
    lines = body.split("\n")
    quoted = 0
    while quoted < len(lines) and lines[quoted].startswith(">"):
        quoted += 1
    if quoted < len(lines) and quoted and not lines[quoted].strip():
        quoted += 1
    return "\n".join(lines[quoted:])


async def _receive(services: MatrixServices, message: Message, upload: Upload) -> None:
    core = services.core
    async with _typing(services.client, message.room_id):
        reply = await uploads.receive_upload(
            core.storage,
            core.renderer,
            core.upload_parser.parse,
            chat_id=message.chat_id,
            admin_id=message.reader_id,
            upload=upload,
            clock=now,
        )
    await answer(services, message, reply)


async def _receive_file(
    services: MatrixServices, message: Message, content: Mapping[str, Any]
) -> None:
    """Refused by its name and declared size before it is downloaded; downloaded no further
    than the largest brief; then read as Telegram's documents are."""
    core = services.core
    name = file_name(content)
    refused = uploads.document_refusal(core.renderer, name, declared_size(content))
    if refused is not None:
        await answer(services, message, refused)
        return
    async with _typing(services.client, message.room_id):
        data = await download(services.client, str(content["url"]), MAX_BRIEF_BYTES)
        if isinstance(data, int):  # larger than any brief: its size, as far as it was read
            reply = uploads.document_refusal(core.renderer, name, data)
        else:
            reply = await uploads.receive_document(
                core.storage,
                core.renderer,
                core.upload_parser.parse,
                chat_id=message.chat_id,
                admin_id=message.reader_id,
                file_name=name,
                content=data,
                clock=now,
            )
    await answer(services, message, reply)


def file_name(content: Mapping[str, Any]) -> str | None:
    """The file's name: `filename`, else the body (which is the name when there is no
    caption, as Element sends a file)."""
    for key in ("filename", "body"):
        value = content.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def declared_size(content: Mapping[str, Any]) -> int | None:
    info = content.get("info")
    size = info.get("size") if isinstance(info, Mapping) else None
    return size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None


async def download(client: ClientAPI, uri: str, limit: int) -> bytes | int:
    """The file's bytes; or, for one larger than `limit`, how large it is (its declared
    length, or what was read before stopping), without reading it all.

    mautrix's download_media reads the whole answer into memory, whatever its size and
    whatever the event said of it: this reads it in chunks, as mautrix builds the request
    (the authenticated media API where the homeserver has it)."""
    authenticated = bool((await client.versions()).supports(SpecVersions.V111))
    url = client.api.get_download_url(ContentURI(uri), authenticated=authenticated)
    headers = {"Authorization": f"Bearer {client.api.token}"} if authenticated else {}
    params = {"allow_redirect": "true"}
    async with client.api.session.get(url, params=params, headers=headers) as response:
        response.raise_for_status()
        if response.content_length is not None and response.content_length > limit:
            return response.content_length
        data = bytearray()
        async for chunk in response.content.iter_chunked(DOWNLOAD_CHUNK):
            data += chunk
            if len(data) > limit:
                return len(data)
        return bytes(data)


@asynccontextmanager
async def _typing(client: ClientAPI, room_id: str) -> AsyncIterator[None]:
    """The room shows the bot typing meanwhile, where the homeserver lets it."""
    await _set_typing(client, room_id, TYPING_MS)
    try:
        yield
    finally:
        await _set_typing(client, room_id, 0)


async def _set_typing(client: ClientAPI, room_id: str, milliseconds: int) -> None:
    try:
        await client.set_typing(RoomID(room_id), timeout=milliseconds)
    except (MatrixRequestError, MatrixConnectionError) as error:
        log.info("no typing shown in %s: %s", room_id, error)


# -- drafts ------------------------------------------------------------------------------


def draft_command(step: DraftStep) -> Handler:
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
            now=now(),
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
        elif published is not None and core.config.channel_ids:
            await core.channels.post_due()  # to the channels at once, not at the next tick

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
        core.storage, core.renderer, chat_id=message.chat_id, args=message.args, now=now()
    )
    await answer(services, message, reply)


async def _cancel(services: MatrixServices, message: Message) -> None:
    core = services.core
    reply = await admin_commands.cancel_correction(
        core.storage, core.renderer, chat_id=message.chat_id, now=now()
    )
    await answer(services, message, reply)


async def _retract(services: MatrixServices, message: Message) -> None:
    core = services.core
    retraction = await admin_commands.retract_brief(
        core.storage, core.renderer, admin_id=message.reader_id, args=message.args, now=now()
    )
    await answer(services, message, retraction.reply)
    if retraction.withdrawn is not None:
        await _replace_copies(services, message, retraction.withdrawn, withdrawn=True)


async def _history(services: MatrixServices, message: Message) -> None:
    core = services.core
    reply = await admin_commands.brief_history(core.storage, core.renderer, message.args)
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
        await readers.help_command(services, message)
        return
    await answer(services, message, admin_help_reply(services.core.renderer, message.args))


def handlers() -> dict[str, Handler]:
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
