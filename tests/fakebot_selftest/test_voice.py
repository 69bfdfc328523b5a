"""Voice notes: sendVoice (upload and file_id), their captions, edits and deletion, and the
recordings users send back, as Telegram answers and refuses them."""

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    TelegramObject,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from tests.fakebot import FakeBotApi, RateLimits, check_ogg_opus, ogg_opus
from tests.fakebot.ogg import ogg_crc

MORE = InlineKeyboardMarkup([[InlineKeyboardButton("Read", callback_data="read:1")]])
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(400)
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + bytes(200)


def seconds(media: TelegramObject) -> int:
    """A Voice's or Audio's duration as Telegram sent it (python-telegram-bot warns when
    its `duration` attribute is read)."""
    return int(media.to_dict()["duration"])


async def test_an_uploaded_voice_note_arrives_with_its_caption(
    server: FakeBotApi, bot: Bot
) -> None:
    server.user(42)
    audio = ogg_opus(3.2)
    message = await bot.send_voice(
        42,
        audio,
        caption="<b>Quake</b> relief",
        parse_mode="HTML",
        reply_markup=MORE,
        disable_notification=True,
        protect_content=True,
    )
    assert message.voice is not None
    assert (message.voice.mime_type, message.voice.file_size) == ("audio/ogg", len(audio))
    assert seconds(message.voice) == 3  # read from the file: none was given
    assert message.caption == "Quake relief"
    assert [(e.type, e.offset, e.length) for e in message.caption_entities] == [("bold", 0, 5)]
    assert message.reply_markup == MORE
    [sent] = server.voices(42)
    assert sent.content == audio
    assert sent.uploaded
    assert sent.file_id == message.voice.file_id
    assert check_ogg_opus(sent.content).channels == 1
    assert server.sent(42) == [sent.message]
    assert (server.voice_uploads, server.voice_reuses) == (1, 0)


async def test_a_file_id_sends_the_same_file_again_without_an_upload(
    server: FakeBotApi, bot: Bot
) -> None:
    server.user(42)
    server.user(43)
    first = await bot.send_voice(42, ogg_opus(2.0), duration=2)
    assert first.voice is not None
    # The file keeps the duration it was stored with, whatever a later send says.
    again = await bot.send_voice(43, first.voice.file_id, duration=9, caption="again")
    again_by_object = await bot.send_voice(43, first.voice)
    for message in (again, again_by_object):
        assert message.voice is not None
        assert message.voice.file_unique_id == first.voice.file_unique_id
        assert seconds(message.voice) == 2
    assert (server.voice_uploads, server.voice_reuses) == (1, 2)
    assert [v.uploaded for v in server.voices(43)] == [False, False]
    assert server.voices(43)[0].content == server.voices(42)[0].content


async def test_mp3_and_m4a_are_voice_notes_too(server: FakeBotApi, bot: Bot) -> None:
    server.user(42)
    mp3 = await bot.send_voice(42, MP3, duration=1)
    m4a = await bot.send_voice(42, M4A, duration=1)
    assert mp3.voice is not None
    assert m4a.voice is not None
    assert (mp3.voice.mime_type, m4a.voice.mime_type) == ("audio/mpeg", "audio/mp4")


def _not_opus() -> bytes:
    """An Ogg stream, CRCs right, whose first packet is not Opus's identification header."""
    audio = ogg_opus(1.0).replace(b"OpusHead", b"OpusHide", 1)
    first = audio[:47]  # the first page: 27 bytes of header, 1 of lacing, 19 of OpusHead
    crc = ogg_crc(first[:22] + bytes(4) + first[26:]).to_bytes(4, "little")
    return first[:22] + crc + first[26:] + audio[47:]


def _corrupted(audio: bytes) -> bytes:
    middle = len(audio) // 2
    return audio[:middle] + bytes([audio[middle] ^ 0xFF]) + audio[middle + 1 :]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(100), "neither Ogg, MP3 nor M4A"),
        (ogg_opus(1.0, channels=2), "2 audio channels; a voice note has one"),
        (ogg_opus(3.0)[:-20], "truncated Ogg page"),
        (_corrupted(ogg_opus(3.0)), "bad CRC"),
        (_not_opus(), "no Opus identification header"),
    ],
)
async def test_a_file_clients_would_not_play_is_refused(
    server: FakeBotApi, bot: Bot, content: bytes, reason: str
) -> None:
    server.user(42)
    with pytest.raises(BadRequest, match="refuses this voice note"):
        await bot.send_voice(42, content)
    assert reason in (server.errors()[-1].description or "")
    assert server.sent(42) == []
    assert server.voice_uploads == 0


async def test_unknown_mismatched_and_remote_files_are_refused(
    server: FakeBotApi, bot: Bot
) -> None:
    reader = server.user(42)
    with pytest.raises(BadRequest, match=r"^Wrong file identifier/http url specified$"):
        await bot.send_voice(42, "AwACAgQAAxnothing")
    document = await server.send_document(reader, "brief.txt", b"text")
    document_id = document["message"]["document"]["file_id"]
    with pytest.raises(BadRequest, match=r"^Type of file mismatch$"):
        await bot.send_voice(42, document_id)
    with pytest.raises(BadRequest, match=r"^Failed to get http url content$"):
        await bot.send_voice(42, "https://example.com/brief.ogg")
    with pytest.raises(BadRequest, match=r"^File must be non-empty$"):
        await bot.send_voice(42, b"", filename="empty.ogg")
    assert server.sent(42) == []


async def test_an_upload_over_50_mb_is_too_large(server: FakeBotApi, bot: Bot) -> None:
    server.user(42)
    with pytest.raises(NetworkError, match=r"^Request Entity Too Large$"):
        await bot.send_voice(42, b"OggS" + bytes(50_000_000 - 3), write_timeout=30)
    assert server.errors()[-1].error_code == 413


async def test_caption_is_at_most_1024_characters_after_entities(
    server: FakeBotApi, bot: Bot
) -> None:
    server.user(42)
    audio = ogg_opus(1.0)
    fits = await bot.send_voice(42, audio, caption="<b>" + "a" * 1024 + "</b>", parse_mode="HTML")
    assert fits.caption == "a" * 1024
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_voice(42, audio, caption="😀" * 513)
    with pytest.raises(BadRequest, match=r"^Can't parse entities"):
        await bot.send_voice(42, audio, caption="<b>open", parse_mode="HTML")
    assert len(server.sent(42)) == 1


async def test_a_voice_note_replies_and_is_refused_where_a_message_is(
    server: FakeBotApi, bot: Bot
) -> None:
    reader = server.user(42)
    brief = await bot.send_message(42, "brief")
    reply = ReplyParameters(brief.message_id)
    await bot.send_voice(42, ogg_opus(1.0), reply_parameters=reply)
    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await bot.send_voice(42, ogg_opus(1.0), reply_parameters=ReplyParameters(999))
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await bot.send_voice(42, ogg_opus(1.0), message_thread_id=5)
    reader.voice_messages_forbidden = True
    with pytest.raises(BadRequest, match=r"^Voice_messages_forbidden$"):
        await bot.send_voice(42, ogg_opus(1.0))
    server.block(reader)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_voice(42, ogg_opus(1.0))
    server.group(-4001, bot_status="restricted")
    with pytest.raises(BadRequest, match=r"^Not enough rights to send voice notes to the chat$"):
        await bot.send_voice(-4001, ogg_opus(1.0))
    server.channel(-100123, can_post_messages=False)
    with pytest.raises(BadRequest, match=r"^Need administrator rights in the channel chat$"):
        await bot.send_voice(-100123, ogg_opus(1.0))
    assert server.voice_uploads == 1


async def test_voice_notes_count_against_the_flood_limits() -> None:
    async with FakeBotApi(limits=RateLimits(enabled=True, private_burst=2)) as server:
        server.user(42)
        async with Bot(server.token, base_url=f"{server.url}/bot") as bot:
            first = await bot.send_voice(42, ogg_opus(1.0))
            assert first.voice is not None
            await bot.send_voice(42, first.voice.file_id)
            with pytest.raises(RetryAfter):
                await bot.send_voice(42, first.voice.file_id)
        assert server.limit_refusals == 1


async def test_caption_and_keyboard_of_a_voice_note_are_edited(
    server: FakeBotApi, bot: Bot
) -> None:
    server.user(42)
    message = await bot.send_voice(42, ogg_opus(1.0), caption="Title", reply_markup=MORE)
    edited = await bot.edit_message_caption(
        42, message.message_id, caption="<i>Corrected</i> title", parse_mode="HTML"
    )
    assert not isinstance(edited, bool)
    assert edited.caption == "Corrected title"
    assert edited.voice is not None
    assert edited.reply_markup is None  # an edit without a keyboard takes it away
    [sent] = server.voices(42)
    assert (sent.message.text, sent.message.edits) == ("Corrected title", 1)
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_caption(
            42, message.message_id, caption="<i>Corrected</i> title", parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.edit_message_caption(42, message.message_id, caption="a" * 1025)
    await bot.edit_message_reply_markup(42, message.message_id, reply_markup=MORE)
    assert server.voices(42)[0].message.buttons == MORE.to_dict()["inline_keyboard"]
    with pytest.raises(BadRequest, match=r"^There is no text in the message to edit$"):
        await bot.edit_message_text("text", 42, message.message_id)
    text = await bot.send_message(42, "text")
    with pytest.raises(BadRequest, match=r"^There is no caption in the message to edit$"):
        await bot.edit_message_caption(42, text.message_id, caption="caption")


async def test_a_deleted_voice_note_is_gone(server: FakeBotApi, bot: Bot) -> None:
    server.user(42)
    message = await bot.send_voice(42, ogg_opus(1.0), caption="Title")
    assert await bot.delete_message(42, message.message_id)
    assert server.voices(42) == []
    assert len(server.voices(42, include_deleted=True)) == 1
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_caption(42, message.message_id, caption="Corrected")
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(42, message.message_id)


async def test_a_users_voice_reply_arrives_and_its_file_downloads(
    server: FakeBotApi, bot: Bot
) -> None:
    editor = server.user(7, "Editor")
    await bot.send_message(7, "<b>Brief 12</b>", parse_mode="HTML")
    [brief] = server.sent(7)
    recording = ogg_opus(4.0)
    await server.send_voice(editor, recording, reply_to=brief, caption="my take")
    [update] = await bot.get_updates()
    message = update.message
    assert message is not None
    assert message.voice is not None
    assert message.reply_to_message is not None
    assert (message.reply_to_message.message_id, message.reply_to_message.text) == (
        brief.message_id,
        "Brief 12",
    )
    assert (message.voice.mime_type, seconds(message.voice)) == ("audio/ogg", 4)
    assert message.caption == "my take"
    file = await bot.get_file(message.voice.file_id)
    assert file.file_path is not None
    assert "/voice/" in file.file_path
    assert bytes(await file.download_as_bytearray()) == recording
    # The editor's recording may go out again by its file_id, as any voice note.
    resent = await bot.send_voice(7, message.voice.file_id)
    assert resent.voice is not None
    assert resent.voice.file_unique_id == message.voice.file_unique_id
    assert server.voice_reuses == 1


async def test_a_users_audio_file_reply_arrives_and_downloads(server: FakeBotApi, bot: Bot) -> None:
    editor = server.user(7, "Editor")
    question = await server.send_text(editor, "draft")
    await server.send_audio(
        editor, MP3, file_name="take.mp3", duration=95, title="Brief 12", reply_to=question
    )
    updates = await bot.get_updates()
    message = updates[-1].message
    assert message is not None
    assert message.audio is not None
    assert message.reply_to_message is not None
    assert message.reply_to_message.text == "draft"
    assert (message.audio.file_name, message.audio.mime_type) == ("take.mp3", "audio/mpeg")
    assert (seconds(message.audio), message.audio.title) == (95, "Brief 12")
    file = await bot.get_file(message.audio.file_id)
    assert bytes(await file.download_as_bytearray()) == MP3
    with pytest.raises(BadRequest, match=r"^Type of file mismatch$"):
        await bot.send_voice(7, message.audio.file_id)


async def test_a_user_cannot_send_a_recording_that_is_not_ogg_opus(server: FakeBotApi) -> None:
    editor = server.user(7)
    with pytest.raises(AssertionError, match="OGG/Opus"):
        await server.send_voice(editor, MP3)
    with pytest.raises(AssertionError, match="cannot reply"):
        await server.send_voice(
            editor, ogg_opus(1.0), reply_to={"message_id": 5, "chat": {"id": 7}}
        )
