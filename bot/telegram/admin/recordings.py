"""An editor's own recording: an admin replies to a published brief (its message, the
note that it was published) or to the preview of a draft with a voice message or an audio
file, and it becomes the brief's voice note, or the draft's once published; `/unrecord N`
removes it. What becomes of the recording, and which brief or draft a reply means, is the
core's (bot/core/audio/recording.py); what the message replied to names is read here: the
briefs and drafts of its buttons and links, and its first line."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from urllib.parse import parse_qs, urlsplit

from telegram import Message, MessageEntity, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.core.audio import recording
from bot.core.audio.recording import Replied
from bot.core.chat import Reply
from bot.telegram.admin.typing import typing
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import command
from bot.telegram.keyboards import (
    parse_draft_data,
    parse_listen_data,
    parse_part_data,
    parse_start_parameter,
)
from bot.telegram.replies import chat_of, now, send_reply

# getFile serves files of up to 20 MB; a voice message that long is over an hour.
MAX_DOWNLOAD_BYTES = 20_000_000


async def recorded(update: Update, context: BotContext) -> None:
    """A voice message or an audio file in reply to a brief: kept as its voice note."""
    message = update.effective_message
    assert message is not None
    assert message.reply_to_message is not None
    media = message.voice or message.audio
    assert media is not None
    chat_id = message.chat_id
    if (media.file_size or 0) > MAX_DOWNLOAD_BYTES:
        too_big = context.renderer.render("listen_record_refused.html", why="big")
        await send_reply(context, chat_id, Reply([too_big]))
        return
    async with typing(context.bot, chat_id):
        data = bytes(await (await media.get_file()).download_as_bytearray())
        sender = message.from_user
        reply = await recording.take_recording(
            context.storage,
            context.renderer,
            replied=_replied(message.reply_to_message),
            chat_id=chat_id,
            data=data,
            by=sender.id if sender else chat_id,
            by_name=sender.full_name if sender else "",
            # A voice message's file is sent again as a voice note; an audio file's is not.
            file_id=media.file_id if message.voice is not None else None,
            opusenc=context.config.audio.opusenc,
            at=now(),
        )
    await send_reply(context, chat_id, reply)


async def unrecord(update: Update, context: BotContext) -> None:
    reply = await recording.remove_recording(context.storage, context.renderer, context.args or [])
    await send_reply(context, chat_of(update), reply)


def _replied(message: Message) -> Replied:
    """What the message replied to names: the briefs of its buttons and links, the draft of
    its Publish and Discard buttons (a preview's last message), and its first line."""
    text = message.text or message.caption or ""
    return Replied(
        briefs=tuple(dict.fromkeys(_named_briefs(message))),
        drafts=tuple(dict.fromkeys(_named_drafts(message))),
        first_line=text.split("\n", 1)[0],
    )


def _named_drafts(message: Message) -> Iterator[int]:
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else None
            pressed = parse_draft_data(data)
            if pressed is not None:
                yield pressed.draft_id


def _named_briefs(message: Message) -> Iterator[int]:
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else None
            pressed = parse_part_data(data) or parse_listen_data(data)
            if pressed is not None:
                yield pressed.brief_id
            if button.url:
                yield from _linked_brief(button.url)
    entities = message.parse_entities([MessageEntity.TEXT_LINK, MessageEntity.URL])
    for entity, text in entities.items():
        yield from _linked_brief(entity.url or text)


def _linked_brief(url: str) -> Iterator[int]:
    """The brief a deep link (`?start=b12`, `b12-facts`, `b12-listen`) opens."""
    for start in parse_qs(urlsplit(url).query).get("start", []):
        link = parse_start_parameter(start)
        brief_id = getattr(link, "brief_id", None)
        if isinstance(brief_id, int):
            yield brief_id


def handlers(admin_ids: Collection[int]) -> list[BaseHandler[Update, BotContext, None]]:
    admin = filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE
    written = admin & filters.UpdateType.MESSAGE & filters.REPLY
    return [
        MessageHandler(written & (filters.VOICE | filters.AUDIO), recorded),
        command("unrecord", unrecord, admin),
    ]
