"""An editor's upload from Matrix: a brief pasted as a message or sent as a file, read
here as Telegram's are in bot/telegram/admin/uploads.py (a message's body and links, a
file's name, declared size and bytes) and answered as the core decides
(bot/core/publishing/uploads.py): a preview, or what is wrong with it. Only an admin's
message in a direct chat comes here (bot/matrix/sync.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import ClientError
from mautrix.client import ClientAPI
from mautrix.errors import MatrixConnectionError, MatrixRequestError
from mautrix.types import ContentURI, RoomID, SpecVersions

from bot.core.chat import Reply
from bot.core.publishing import uploads
from bot.core.subscriptions.timing import utc_now
from bot.matrix.context import MatrixServices, Message, answer
from brief import MAX_BRIEF_BYTES
from brief.isolated import Link, Upload

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
DOWNLOAD_FAILED = "error.html"  # the apology readers get when something fails on our side


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
            clock=utc_now,
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
        data = await _fetched(services.client, str(content["url"]))
        reply: Reply | None
        if data is None:
            reply = Reply([core.renderer.render(DOWNLOAD_FAILED)])
        elif isinstance(data, int):  # larger than any brief: its size, as far as it was read
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
                clock=utc_now,
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


async def _fetched(client: ClientAPI, uri: str) -> bytes | int | None:
    """`download`'s answer, no further than the largest brief; None (logged) when the
    homeserver would not give the file (gone, refused, unreachable): the admin is told to
    try again, not left without an answer."""
    try:
        return await download(client, uri, MAX_BRIEF_BYTES)
    except (ClientError, TimeoutError, MatrixRequestError, MatrixConnectionError) as error:
        log.warning("file %s not downloaded: %s", uri, error)
        return None


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
