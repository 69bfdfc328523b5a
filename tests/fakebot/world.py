"""The Bot API methods, acting on the fake's state of users, chats, messages and updates."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.web import FileField

from tests.fakebot import channels, groups
from tests.fakebot.errors import ApiError, bad_request, forbidden
from tests.fakebot.markup import check_reply_markup
from tests.fakebot.model import FakeChat, FakeFile, FakeUser, SentMessage
from tests.fakebot.text import CAPTION, MESSAGE_TEXT, format_text

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "message_reaction", "message_reaction_count",
        "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
        "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member",
        "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)  # fmt: skip
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
SCOPE_TYPES = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators",
        "chat", "chat_administrators", "chat_member",
    }
)  # fmt: skip
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE = re.compile(r"[a-z]{2}")
# A kind of file: how its file_id begins (Telegram's, which encode the kind) and its folder.
_FILE_KINDS = {
    "document": ("BQACAgQAAx", "documents"),
    "voice": ("AwACAgQAAx", "voice"),
    "audio": ("CQACAgQAAx", "music"),
}
_ASCII_SPACE = " \t\r\n\v\f"  # what TDLib's trim() takes off a command and its description
MethodImpl = Callable[[dict[str, Any]], Awaitable[Any]]


def utc_now() -> int:
    return int(time.time())


class World:
    """State shared by the HTTP side and the test side of the fake."""

    def __init__(self, bot: FakeUser) -> None:
        self.bot = bot
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.sent_order: list[SentMessage] = []
        self.user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.files: dict[str, FakeFile] = {}
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.update_pushed = asyncio.Event()
        self.allowed_updates: frozenset[str] = UPDATE_TYPES - DEFAULT_EXCLUDED_UPDATES
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.sent_changed = asyncio.Event()
        # Called with every message the bot sends; load drivers use it instead of polling.
        self.on_sent: list[Callable[[SentMessage], None]] = []

    # -- shared helpers --------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, **update}
        self.next_update_id += 1
        self.updates.append(update)
        self.update_pushed.set()
        return update

    def chat(self, chat_id: int | str) -> FakeChat:
        if isinstance(chat_id, str):
            wanted = chat_id.lower()  # Telegram's usernames are case-insensitive
            found = [c for c in self.chats.values() if (c.handle or "").lower() == wanted]
            if not found:
                raise bad_request("chat not found")
            return found[0]
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, chat_id: int | str, method: str = "sendMessage") -> FakeChat:
        chat = self.visible_chat(chat_id)
        if chat.user is not None and chat.user.blocked:
            raise forbidden("bot was blocked by the user")
        if chat.user is not None and chat.user.is_bot:
            raise forbidden("bot can't send messages to bots")
        if chat.channel is not None:
            channels.check_post(chat.channel)
        if chat.type in ("group", "supergroup") and self.bot.id not in chat.admins:
            groups.check_send(chat.bot_status, chat.type, method)
        return chat

    def add_file(
        self,
        content: bytes,
        file_name: str | None,
        mime_type: str | None,
        *,
        kind: str = "document",
        duration: int = 0,
    ) -> FakeFile:
        """Stores a file under a new file_id, shaped as Telegram's for its `kind` (the id's
        prefix and the folder of its file_path: voice notes are voice/file_N.oga)."""
        digest = hashlib.sha256(content + str(len(self.files)).encode()).hexdigest()
        number = len(self.files) + 1
        prefix, folder = _FILE_KINDS[kind]
        extension = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
        extension = "oga" if kind == "voice" else extension
        stored = FakeFile(
            file_id=f"{prefix}{digest[:40]}",
            file_unique_id=f"AgAD{digest[40:52]}",
            content=content,
            file_path=f"{folder}/file_{number}.{extension}",
            file_name=file_name,
            mime_type=mime_type,
            kind=kind,
            duration=duration,
        )
        self.files[stored.file_id] = stored
        return stored

    def message_json(self, sent: SentMessage) -> dict[str, Any]:
        chat = self.chats[sent.chat_id]
        message: dict[str, Any] = {"message_id": sent.message_id}
        if chat.channel is not None:
            # A channel post is sent on behalf of the channel: no "from", the channel as sender.
            message["sender_chat"] = chat.to_api()
        else:
            message["from"] = self.bot.to_api()
        message.update(chat=chat.to_api(), date=sent.date)
        key = "caption" if sent.has_media else "text"
        if sent.document is not None:
            message["document"] = sent.document
        if sent.voice is not None:
            message["voice"] = sent.voice
        if sent.text:
            message[key] = sent.text
        if sent.entities:
            message["entities" if key == "text" else "caption_entities"] = sent.entities
        if sent.edits:
            message["edit_date"] = utc_now()
        if sent.reply_markup and sent.reply_markup.get("inline_keyboard"):
            message["reply_markup"] = sent.reply_markup
        return message

    def record_sent(self, sent: SentMessage) -> None:
        self.messages[(sent.chat_id, sent.message_id)] = sent
        self.sent_order.append(sent)
        self.sent_changed.set()
        for observer in self.on_sent:
            observer(sent)

    # -- methods ---------------------------------------------------------------------------

    def implementations(self) -> dict[str, MethodImpl]:
        return {
            "getMe": self.get_me,
            "logOut": self.always_true,
            "close": self.always_true,
            "sendMessage": self.send_message,
            "sendDocument": self.send_document,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendChatAction": self.send_chat_action,
            "getFile": self.get_file,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
        }

    async def get_me(self, params: dict[str, Any]) -> Any:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def always_true(self, params: dict[str, Any]) -> Any:
        return True

    def check_common_send(self, params: dict[str, Any], chat: FakeChat) -> None:
        if "reply_markup" in params:
            check_reply_markup(params["reply_markup"])
        reply = params.get("reply_parameters")
        if reply is not None:
            target = reply.get("message_id")
            if not isinstance(target, int):
                raise bad_request('field "message_id" of ReplyParameters must be of type Integer')
            exists = (chat.id, target) in self.messages or (chat.id, target) in self.user_messages
            if not exists and not reply.get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
        if "message_thread_id" in params and chat.type != "supergroup":
            raise bad_request("message thread not found")
        if "business_connection_id" in params:
            raise bad_request("business connection not found")

    async def send_message(self, params: dict[str, Any]) -> Any:
        chat = self.writable_chat(params["chat_id"])
        text, entities = format_text(
            params["text"], params.get("parse_mode"), params.get("entities"), MESSAGE_TEXT
        )
        self.check_common_send(params, chat)
        sent = SentMessage(
            chat_id=chat.id,
            message_id=chat.new_message_id(),
            html=params["text"],
            text=text,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
            date=utc_now(),
        )
        self.record_sent(sent)
        return self.message_json(sent)

    async def send_document(self, params: dict[str, Any]) -> Any:
        chat = self.writable_chat(params["chat_id"], "sendDocument")
        caption, entities = format_text(
            params.get("caption", ""),
            params.get("parse_mode"),
            params.get("caption_entities"),
            CAPTION,
        )
        self.check_common_send(params, chat)
        stored = self.document_file(params["document"])
        document: dict[str, Any] = stored.to_api()
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        sent = self.captioned(chat, params, caption, entities, document=document)
        self.record_sent(sent)
        return self.message_json(sent)

    def captioned(
        self,
        chat: FakeChat,
        params: dict[str, Any],
        caption: str,
        entities: list[dict[str, Any]],
        **media: Any,
    ) -> SentMessage:
        """A new media message (a document, a voice note) in the chat, with its caption."""
        return SentMessage(
            chat_id=chat.id,
            message_id=chat.new_message_id(),
            html=params.get("caption"),
            text=caption,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
            date=utc_now(),
            **media,
        )

    def document_file(self, document: FileField | str) -> FakeFile:
        if isinstance(document, FileField):
            content = document.file.read()
            if not content:
                raise bad_request("file must be non-empty")
            return self.add_file(content, document.filename, document.content_type)
        if document.startswith("attach://"):
            raise bad_request("wrong remote file identifier specified: can't use attach:// here")
        if document.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        if document not in self.files:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return self.files[document]

    def editable(self, params: dict[str, Any]) -> SentMessage:
        if "inline_message_id" in params:
            raise bad_request("MESSAGE_ID_INVALID")
        if "chat_id" not in params:
            raise bad_request("chat_id is empty")
        if "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self.visible_chat(params["chat_id"])
        if chat.channel is not None:
            channels.check_edit(chat.channel)
        sent = self.messages.get((chat.id, params["message_id"]))
        if sent is None or sent.deleted:
            raise bad_request("message to edit not found")
        return sent

    async def edit_message_text(self, params: dict[str, Any]) -> Any:
        sent = self.editable(params)
        if sent.has_media:
            raise bad_request("there is no text in the message to edit")
        text, entities = format_text(
            params["text"], params.get("parse_mode"), params.get("entities"), MESSAGE_TEXT
        )
        markup = params.get("reply_markup")
        if markup is not None:
            check_reply_markup(markup, inline_only=True)
        if text == sent.text and entities == sent.entities and markup == sent.reply_markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        sent.html, sent.text, sent.entities = params["text"], text, entities
        sent.parse_mode, sent.reply_markup = params.get("parse_mode"), markup
        sent.edits += 1
        self.sent_changed.set()
        return self.message_json(sent)

    async def edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        sent = self.editable(params)
        markup = params.get("reply_markup")
        if markup is not None:
            check_reply_markup(markup, inline_only=True)
        if (markup or None) == (sent.reply_markup or None):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        sent.reply_markup = markup
        sent.edits += 1
        self.sent_changed.set()
        return self.message_json(sent)

    async def delete_message(self, params: dict[str, Any]) -> Any:
        chat = self.chat(params["chat_id"])
        key = (chat.id, params["message_id"])
        sent = self.messages.get(key)
        if sent is not None and not sent.deleted:
            sent.deleted = True
            self.sent_changed.set()
            return True
        if key in self.user_messages and chat.type == "private":
            del self.user_messages[key]
            return True
        if key in self.user_messages and self.bot.id in chat.admins:
            del self.user_messages[key]
            return True
        if key in self.user_messages:
            raise bad_request("message can't be deleted")
        raise bad_request("message to delete not found")

    async def answer_callback_query(self, params: dict[str, Any]) -> Any:
        query_id = params["callback_query_id"]
        if query_id not in self.callback_queries or query_id in self.callback_answers:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text", "")
        if len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        if "url" in params:
            raise bad_request("URL_INVALID")
        self.callback_answers[query_id] = params
        return True

    def scope_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope", {"type": "default"})
        kind = scope.get("type")
        if kind not in SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope: unsupported type")
        allowed = {"type"} | ({"chat_id"} if kind.startswith("chat") else set())
        allowed |= {"user_id"} if kind == "chat_member" else set()
        if set(scope) != allowed:
            raise bad_request(f"can't parse BotCommandScope: expected fields {sorted(allowed)}")
        if "chat_id" in scope:
            chat = self.chat(scope["chat_id"])
            if kind != "chat" and chat.type == "private":
                raise bad_request("can't use this scope in a private chat")
        language = params.get("language_code", "")
        if language and not _LANGUAGE_RE.fullmatch(language):
            raise bad_request("invalid language code specified")
        return scope_id(scope), language

    async def set_my_commands(self, params: dict[str, Any]) -> Any:
        key = self.scope_key(params)
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = [_checked_command(command) for command in commands]
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def get_my_commands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(self.scope_key(params), [])

    async def delete_my_commands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(self.scope_key(params), None)
        return True

    async def send_chat_action(self, params: dict[str, Any]) -> Any:
        self.writable_chat(params["chat_id"], "sendChatAction")
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def get_file(self, params: dict[str, Any]) -> Any:
        stored = self.files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {**stored.to_api(), "file_path": stored.file_path}

    def visible_chat(self, chat_id: int | str) -> FakeChat:
        chat = self.chat(chat_id)
        if chat.channel is not None:
            channels.check_visible(chat.channel, public=chat.username is not None)
        return chat

    async def get_chat(self, params: dict[str, Any]) -> Any:
        chat = self.visible_chat(params["chat_id"])
        info = chat.to_api()
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return info

    def member_json(self, chat: FakeChat, user_id: int) -> dict[str, Any]:
        user = self.bot if user_id == self.bot.id else self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.channel is not None and user_id == self.bot.id:
            return channels.bot_member(chat.channel, user.to_api())
        if chat.channel is not None and chat.channel.status != "administrator":
            raise bad_request("member list is inaccessible")
        if chat.admins and user_id == chat.admins[0]:
            return {"status": "creator", "user": user.to_api(), "is_anonymous": False}
        if user_id in chat.admins:
            return {"status": "administrator", "user": user.to_api(), **_ADMIN_RIGHTS}
        if user_id == self.bot.id and chat.type != "private":
            return groups.bot_member(chat.bot_status, user.to_api())
        in_chat = user_id in chat.members or user_id == self.bot.id
        in_chat = in_chat or (chat.user is not None and chat.user.id == user_id)
        return {"status": "member" if in_chat else "left", "user": user.to_api()}

    async def get_chat_member(self, params: dict[str, Any]) -> Any:
        return self.member_json(self.visible_chat(params["chat_id"]), params["user_id"])

    async def get_chat_administrators(self, params: dict[str, Any]) -> Any:
        chat = self.chat(params["chat_id"])
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        return [self.member_json(chat, user_id) for user_id in chat.admins]


_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}


def scope_id(scope: dict[str, Any]) -> str:
    parts = [str(scope["type"])] + [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
    return ":".join(parts)


def _checked_command(command: Any) -> dict[str, Any]:
    if not isinstance(command, dict) or set(command) != {"command", "description"}:
        raise bad_request("can't parse BotCommand: expected fields command and description")
    name, description = command["command"], command["description"]
    if not isinstance(name, str) or not isinstance(description, str):
        raise bad_request("can't parse BotCommand: fields must be of type String")
    # As TDLib's set_commands (td/telegram/BotCommand.cpp): both trimmed, one leading "/"
    # dropped, lengths in characters; what is kept, and read back, is the trimmed text.
    name = name.strip(_ASCII_SPACE)
    name = name[1:] if name.startswith("/") else name
    if not name:
        raise bad_request("command must be non-empty")
    if len(name) > 32:
        raise bad_request("command length must not exceed 32")
    description = description.strip(_ASCII_SPACE)
    if not description:
        raise bad_request("command description must be non-empty")
    if len(description) > 256:
        raise bad_request("command description length must not exceed 256")
    # Telegram's own servers, after TDLib: lower-case letters, digits and underscores.
    if not _COMMAND_RE.fullmatch(name):
        raise bad_request("BOT_COMMAND_INVALID")
    return {"command": name, "description": description}


def update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def check_allowed_updates(kinds: list[Any]) -> frozenset[str]:
    if not all(isinstance(kind, str) for kind in kinds):
        raise bad_request('field "allowed_updates" must be an Array of String')
    unknown = set(kinds) - UPDATE_TYPES
    if unknown:
        raise ApiError(400, f"Bad Request: unknown update type {min(unknown)!r}")
    return frozenset(kinds) if kinds else UPDATE_TYPES - DEFAULT_EXCLUDED_UPDATES
