"""FakeBotApi: a strict local Bot API server for end-to-end tests, and the test-side controls."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Literal

from aiohttp import web

from tests.fakebot import clients
from tests.fakebot.channels import BotStatus, ChannelState
from tests.fakebot.errors import ApiError, MalformedAnswer, bad_request
from tests.fakebot.groups import GroupBotStatus
from tests.fakebot.inline import InlineMode
from tests.fakebot.limits import Delay, Fault, RateLimiter, RateLimits, busiest_window
from tests.fakebot.model import ApiCall, FakeChat, FakeFile, FakeUser, SentMessage
from tests.fakebot.params import METHODS, decode_params, loggable
from tests.fakebot.profile import BotProfile
from tests.fakebot.text import auto_entities
from tests.fakebot.voice import SentVoice, VoiceNotes
from tests.fakebot.webhook import Delivery, Webhook
from tests.fakebot.world import World, check_allowed_updates, scope_id, update_type, utc_now
from tests.waiting import eventually

_WEBHOOK_ACTIVE = ApiError(
    409,
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first",
)
_CONFLICT = ApiError(
    409,
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
)


class FakeBotApi:
    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_id: int = 123456,
        bot_username: str = "briefbot_test_bot",
        limits: RateLimits | None = None,
        port: int = 0,
        local: bool = False,
    ) -> None:
        """`local=True`: as `telegram-bot-api --local`, which accepts http:// webhooks on any
        port and address (tests/fakebot/webhook.py)."""
        self.token = token
        self.url = ""
        self._port = port  # 0: any free port
        self.limits = limits or RateLimits()
        self.calls: list[ApiCall] = []
        self.downloads: list[str] = []  # the file_path of every file served from /file/bot...
        self.world = World(FakeUser(bot_id, "Briefbot", username=bot_username, is_bot=True))
        self.webhook = Webhook(self.world, local=local)
        self._query_ids = itertools.count(4_611_686_018_427_387_904)
        self.inline = InlineMode(self.world, self._query_ids)  # tests/fakebot/inline.py
        self.profile = BotProfile()  # the bot's descriptions: tests/fakebot/profile.py
        self.voice = VoiceNotes(self.world)  # sendVoice, editMessageCaption: tests/fakebot/voice.py
        self._methods = {
            **self.world.implementations(),
            **self.voice.implementations(),
            **self.webhook.implementations(),
            **self.inline.implementations(),
            **self.profile.implementations(),
        }
        self._limiter = RateLimiter(self.limits)
        self._faults: list[Fault] = []
        self._delays: list[Delay] = []
        self._runner: web.AppRunner | None = None
        self._poll_generation = 0
        self._poll_terminated = asyncio.Event()
        self.polls_waiting = 0  # getUpdates requests being held for updates right now
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self._stopping = True
        self._poll_terminated.set()
        self.world.update_pushed.set()
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._download(path.removeprefix("/file/bot"))
        if not path.startswith("/bot") or path.count("/") != 2:
            return _error_response(ApiError(404, "Not Found"))
        token, method = path.removeprefix("/bot").split("/", 1)
        if ":" not in token:
            return _error_response(ApiError(404, "Not Found"))
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        if method not in METHODS:
            return _error_response(ApiError(404, "Not Found"))
        return await self._call(request, method)

    def _download(self, rest: str) -> web.StreamResponse:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        for stored in self.world.files.values():
            if stored.file_path == file_path:
                self.downloads.append(file_path)
                return web.Response(body=stored.content, content_type="application/octet-stream")
        return _error_response(ApiError(404, "Not Found"))

    async def _call(self, request: web.Request, method: str) -> web.StreamResponse:
        at = time.monotonic()
        raw: dict[str, Any] = {}
        params: dict[str, Any] = {}
        try:
            raw = await _raw_params(request)
            params = decode_params(method, raw)
            result = await self._run(method, params)
        except MalformedAnswer as garbled:
            self._record(ApiCall(method, _shown(params), False, garbled.status, str(garbled), at))
            return web.Response(
                text=MalformedAnswer.BODY, status=garbled.status, content_type="text/html"
            )
        except ApiError as error:
            shown = _shown(params) if params else loggable(raw)
            if error is _CONFLICT:
                # A cancelled poll's socket may close just after its successor arrives.
                await asyncio.sleep(0.05)
            gone = _client_gone(request) and method == "getUpdates"
            self._record(
                ApiCall(
                    method, shown, False, error.error_code, error.description, at, abandoned=gone
                )
            )
            return _error_response(error)
        self._record(ApiCall(method, _shown(params), True, None, None, at, result=result))
        return web.json_response({"ok": True, "result": result}, dumps=_compact)

    async def _run(self, method: str, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id") if isinstance(params.get("chat_id"), int) else None
        for delay in self._delays:
            seconds = delay.take(method, chat_id)
            if seconds:
                await delay.hold(seconds)
        for fault in self._faults:
            if fault.matches(method, chat_id) and fault.fire():
                raise fault.error
        self._limiter.check(method, chat_id)
        if method == "getUpdates":
            return await self._get_updates(params)
        return await self._methods[method](params)

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)

    # -- getUpdates --------------------------------------------------------------------------

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.url:
            raise _WEBHOOK_ACTIVE
        # A newer getUpdates ends the one in progress, as Telegram does.
        self._poll_generation += 1
        generation = self._poll_generation
        self._poll_terminated.set()
        await asyncio.sleep(0)
        self._poll_terminated = asyncio.Event()
        world = self.world
        if "allowed_updates" in params:
            world.allowed_updates = check_allowed_updates(params["allowed_updates"])
        self._confirm(params.get("offset", 0))
        limit = min(max(params.get("limit", 100), 1), 100)
        deadline = time.monotonic() + min(max(params.get("timeout", 0), 0), 50)
        self.polls_waiting += 1
        try:
            return await self._hold_poll(generation, limit, deadline)
        finally:
            self.polls_waiting -= 1

    async def _hold_poll(
        self, generation: int, limit: int, deadline: float
    ) -> list[dict[str, Any]]:
        world = self.world
        while True:
            world.updates = [u for u in world.updates if update_type(u) in world.allowed_updates]
            if world.updates or self._stopping:
                return world.updates[:limit]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            world.update_pushed.clear()
            terminated = self._poll_terminated
            waiters = [
                asyncio.ensure_future(world.update_pushed.wait()),
                asyncio.ensure_future(terminated.wait()),
            ]
            await asyncio.wait(waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
            if generation != self._poll_generation:
                raise _CONFLICT

    def _confirm(self, offset: int) -> None:
        world = self.world
        if offset < 0:
            world.updates = world.updates[offset:]
        elif offset:
            world.updates = [u for u in world.updates if u["update_id"] >= offset]

    # -- test side: people and chats ---------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Reader",
        *,
        username: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
    ) -> FakeUser:
        user = FakeUser(user_id, first_name, username, language_code, is_bot)
        self.world.users[user_id] = user
        self.world.chats[user_id] = FakeChat(user_id, "private", user=user)
        return user

    def group(
        self,
        chat_id: int,
        title: str = "Group",
        *,
        admins: Sequence[int] = (),
        kind: str = "group",
        bot_status: GroupBotStatus = "member",
    ) -> FakeChat:
        """A group (`kind` "supergroup" for one) with the bot in it, as `bot_status` says:
        "restricted" may not write there, "kicked" and "left" are not in it."""
        if kind not in ("group", "supergroup") or chat_id >= 0:
            raise ValueError("a group needs a negative id and kind 'group' or 'supergroup'")
        chat = FakeChat(chat_id, kind, title=title, admins=list(admins), members=set(admins))
        chat.bot_status = bot_status
        self.world.chats[chat_id] = chat
        return chat

    def channel(
        self,
        chat_id: int,
        title: str = "Channel",
        *,
        username: str | None = None,
        status: BotStatus = "administrator",
        can_post_messages: bool = True,
        can_edit_messages: bool = True,
    ) -> FakeChat:
        """A channel (`username` without "@": a public one) and the bot's standing in it;
        change `chat.channel` later to take rights away or give them."""
        if chat_id >= 0:
            raise ValueError("a channel needs a negative id, such as -1001234567890")
        state = ChannelState(status, can_post_messages, can_edit_messages)
        chat = FakeChat(chat_id, "channel", title=title, username=username, channel=state)
        self.world.chats[chat_id] = chat
        return chat

    def _user_message(
        self, user: FakeUser, chat: FakeChat | None, extra: dict[str, Any]
    ) -> dict[str, Any]:
        target = chat or self.world.chats[user.id]
        target.members.add(user.id)
        message = {
            "message_id": target.new_message_id(),
            "from": user.to_api(),
            "chat": target.to_api(),
            "date": utc_now(),
            **extra,
        }
        self.world.user_messages[(target.id, message["message_id"])] = message
        return message

    async def send_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: FakeChat | None = None,
        entities: list[dict[str, Any]] | None = None,
        forward_origin_user: FakeUser | None = None,
    ) -> dict[str, Any]:
        """Pushes a message update, as if ``user`` wrote ``text``; returns the update."""
        extra: dict[str, Any] = {"text": text}
        found = entities if entities is not None else auto_entities(text, [])
        if found:
            extra["entities"] = found
        if forward_origin_user is not None:
            extra["forward_origin"] = {
                "type": "user",
                "date": utc_now(),
                "sender_user": forward_origin_user.to_api(),
            }
        return self.world.push({"message": self._user_message(user, chat, extra)})

    async def send_on_behalf(
        self, chat: FakeChat, text: str, *, as_chat: FakeChat | None = None
    ) -> dict[str, Any]:
        """Pushes a message in the supergroup `chat` written on behalf of a chat: the group
        itself, as an anonymous admin writes (`as_chat` None), or a channel; returns the
        update."""
        message = clients.on_behalf_message(self.world, chat, as_chat or chat, text)
        return self.world.push({"message": message})

    async def send_document(
        self,
        user: FakeUser,
        file_name: str,
        content: bytes,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        chat: FakeChat | None = None,
    ) -> dict[str, Any]:
        stored = self.add_file(content, file_name=file_name, mime_type=mime_type)
        document = {**stored.to_api(), "file_name": file_name}
        if mime_type:
            document["mime_type"] = mime_type
        extra: dict[str, Any] = {"document": document}
        if caption:
            extra["caption"] = caption
        return self.world.push({"message": self._user_message(user, chat, extra)})

    async def send_voice(
        self,
        user: FakeUser,
        content: bytes,
        *,
        duration: int | None = None,
        caption: str | None = None,
        reply_to: SentMessage | dict[str, Any] | None = None,
        chat: FakeChat | None = None,
    ) -> dict[str, Any]:
        """Pushes a message update, as if `user` recorded a voice message (`content`: the
        OGG/Opus file, its duration read from it unless given), replying to `reply_to` (a
        message of the bot's, or a user's update or message) if given; returns the update.
        The bot may getFile and download the recording."""
        extra = self.voice.voice_message(content, duration)
        return self._push_user_media(user, chat, extra, caption, reply_to)

    async def send_audio(
        self,
        user: FakeUser,
        content: bytes,
        *,
        file_name: str = "recording.mp3",
        mime_type: str = "audio/mpeg",
        duration: int = 0,
        title: str | None = None,
        performer: str | None = None,
        caption: str | None = None,
        reply_to: SentMessage | dict[str, Any] | None = None,
        chat: FakeChat | None = None,
    ) -> dict[str, Any]:
        """As send_voice, for a music file the user sends (a message with `audio`)."""
        extra = self.voice.audio_message(content, file_name, mime_type, duration, title, performer)
        return self._push_user_media(user, chat, extra, caption, reply_to)

    def _push_user_media(
        self,
        user: FakeUser,
        chat: FakeChat | None,
        extra: dict[str, Any],
        caption: str | None,
        reply_to: SentMessage | dict[str, Any] | None,
    ) -> dict[str, Any]:
        target = chat or self.world.chats[user.id]
        if reply_to is not None:
            extra["reply_to_message"] = self.voice.reply_json(user, target.id, reply_to)
        if caption:
            extra["caption"] = caption
            found = auto_entities(caption, [])
            if found:
                extra["caption_entities"] = found
        return self.world.push({"message": self._user_message(user, chat, extra)})

    def add_file(
        self, content: bytes, *, file_name: str | None = None, mime_type: str | None = None
    ) -> FakeFile:
        """Registers a file the bot may fetch with getFile and download."""
        return self.world.add_file(content, file_name, mime_type)

    async def press_button(self, user: FakeUser, message: SentMessage, data: str) -> str:
        if message.deleted:
            raise AssertionError(f"message {message.message_id} was deleted")
        current = self.world.messages[(message.chat_id, message.message_id)]
        if data not in current.callback_data():
            raise AssertionError(
                f"message {message.message_id} has no button with data {data!r}; "
                f"it has {current.callback_data()}"
            )
        query_id = str(next(self._query_ids))
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": self.world.message_json(current),
            "chat_instance": str(-abs(hash((user.id, message.chat_id)))),
            "data": data,
        }
        self.world.callback_queries[query_id] = query
        self.world.push({"callback_query": query})
        return query_id

    async def edit_text(self, user: FakeUser, sent: dict[str, Any], text: str) -> dict[str, Any]:
        """Pushes an edited_message update, as if `user` edited their message `sent` (the
        update send_text returned, or its message) to read `text`; returns the update."""
        return self.world.push(
            {"edited_message": clients.edited_message(self.world, user, sent, text)}
        )

    async def forge_press(self, user: FakeUser, message: SentMessage, data: str) -> str:
        """A press on `message` carrying `data` whether or not a button has it, as a
        modified client can send; returns the query id, as press_button does."""
        query_id = str(next(self._query_ids))
        query = clients.forged_query(self.world, user, message, data, query_id)
        self.world.callback_queries[query_id] = query
        self.world.push({"callback_query": query})
        return query_id

    def push_update(self, update: dict[str, Any]) -> None:
        self.world.push(update)

    def resend(self, update: dict[str, Any]) -> None:
        """Queues an update already delivered once, with its update_id: what Telegram does
        when it did not get (or did not wait for) the answer to a delivery."""
        self.world.updates.append(update)
        self.world.update_pushed.set()

    @property
    def deliveries(self) -> list[Delivery]:
        """Every POST of an update to the webhook so far, with the answer's status."""
        return self.webhook.deliveries

    def block(self, user: FakeUser) -> None:
        user.blocked = True
        self._push_member_change(user, "member", "kicked")

    def unblock(self, user: FakeUser) -> None:
        user.blocked = False
        self._push_member_change(user, "kicked", "member")

    def _push_member_change(self, user: FakeUser, old: str, new: str) -> None:
        bot = self.world.bot.to_api()
        new_member: dict[str, Any] = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        self.world.push(
            {
                "my_chat_member": {
                    "chat": self.world.chats[user.id].to_api(),
                    "from": user.to_api(),
                    "date": utc_now(),
                    "old_chat_member": old_member,
                    "new_chat_member": new_member,
                }
            }
        )

    def set_bot_status(
        self, chat: FakeChat, status: GroupBotStatus | Literal["administrator"], *, by: FakeUser
    ) -> None:
        """A group's admin `by` changes the bot's standing there, and Telegram tells the bot
        with a my_chat_member update, as it does for every change of the bot's own member
        status (rights given back by the group's default permissions alone tell nothing)."""
        if chat.type not in ("group", "supergroup"):
            raise ValueError("the bot's standing is changed here in groups only")
        if by.id not in chat.admins:
            chat.admins.insert(0, by.id)  # whoever changes the bot's rights is an admin
        bot_id = self.world.bot.id
        old = self.world.member_json(chat, bot_id)
        if bot_id in chat.admins:
            chat.admins.remove(bot_id)
        if status == "administrator":
            chat.admins.append(bot_id)
        else:
            chat.bot_status = status
        change = {
            "chat": chat.to_api(),
            "from": by.to_api(),
            "date": utc_now(),
            "old_chat_member": old,
            "new_chat_member": self.world.member_json(chat, bot_id),
        }
        self.world.push({"my_chat_member": change})

    # -- test side: failures -----------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        times: int | None = 1,
        error_code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """The next ``times`` calls (None: all) of ``method`` get this refusal."""
        error = ApiError(error_code, description, parameters)
        self._faults.append(Fault(method, error, chat_id=chat_id, times=times))

    def garble(self, method: str, *, status: int = 200, times: int | None = 1) -> None:
        """The next ``times`` calls (None: all) of ``method`` get an HTML page, not JSON."""
        self._faults.append(Fault(method, MalformedAnswer(status), times=times))

    def fail_ratio(
        self,
        method: str,
        ratio: float,
        error_code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        *,
        chat_id: int | None = None,
        seed: int = 0,
    ) -> None:
        """About ``ratio`` of the calls of ``method`` are refused, reproducibly by ``seed``."""
        error = ApiError(error_code, description, parameters)
        fault = Fault(method, error, chat_id, None, ratio, random.Random(seed))
        self._faults.append(fault)

    def delay(
        self,
        method: str,
        seconds: float,
        *,
        chat_id: int | None = None,
        times: int | None = 1,
        until: asyncio.Event | None = None,
    ) -> None:
        """Holds the answer `seconds`, or until `until` is set if that comes first; the
        request still takes effect, as on Telegram after a timeout."""
        self._delays.append(Delay(method, seconds, chat_id, times, until))

    def clear_failures(self) -> None:
        self._faults.clear()
        self._delays.clear()

    @property
    def limit_refusals(self) -> int:
        """429s the server's own rate limits gave (not the injected ones)."""
        return self._limiter.refusals

    @property
    def too_many_requests(self) -> int:
        injected = sum(1 for call in self.calls if call.error_code == 429)
        return max(injected, self._limiter.refusals)

    # -- test side: what happened ------------------------------------------------------------

    def send_times(self) -> list[float]:
        """When each request that sends or edits a message arrived (refused ones too)."""
        return [call.at for call in self.calls if call.method in self.limits.methods]

    def busiest_second(self) -> int:
        """The most such requests that arrived within any one second: what the global limit
        counts, whether or not the server's own limits are on."""
        return busiest_window(self.send_times())

    def sent(
        self, chat_id: int | None = None, *, include_deleted: bool = False
    ) -> list[SentMessage]:
        return [
            message
            for message in self.world.sent_order
            if (chat_id is None or message.chat_id == chat_id)
            and (include_deleted or not message.deleted)
        ]

    def voices(
        self, chat_id: int | None = None, *, include_deleted: bool = False
    ) -> list[SentVoice]:
        """The voice notes the bot sent (to `chat_id`), oldest first, each with its file's
        bytes and whether that send was an upload."""
        return [
            sent
            for sent in self.voice.sends
            if (chat_id is None or sent.message.chat_id == chat_id)
            and (include_deleted or not sent.message.deleted)
        ]

    @property
    def voice_uploads(self) -> int:
        """sendVoice calls that uploaded a file and were answered with a message."""
        return sum(1 for sent in self.voice.sends if sent.uploaded)

    @property
    def voice_reuses(self) -> int:
        """sendVoice calls that sent a file again by its file_id."""
        return sum(1 for sent in self.voice.sends if not sent.uploaded)

    async def wait_sent(
        self,
        chat_id: int,
        count: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 (test API)
    ) -> list[SentMessage]:
        await self._wait(
            lambda: len(self.sent(chat_id)) >= count,
            timeout,
            f"{count} message(s) to chat {chat_id}",
        )
        return self.sent(chat_id)

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (the test API names it)
        where: Callable[[ApiCall], bool] | None = None,
    ) -> list[ApiCall]:
        def matching() -> list[ApiCall]:
            return [c for c in self.calls if c.method == method and (where is None or where(c))]

        await self._wait(lambda: len(matching()) >= count, timeout, f"{count} {method} call(s)")
        return matching()

    async def wait_polling(self, count: int = 1, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until ``count`` getUpdates requests are held at the server, waiting for updates."""
        await self._wait(lambda: self.polls_waiting >= count, timeout, f"{count} held poll(s)")

    async def _wait(self, done: Callable[[], bool], timeout: float, what: str) -> None:  # noqa: ASYNC109
        await eventually(done, what, within=timeout, detail=self.dump)

    @property
    def pending_updates(self) -> int:
        """Updates the bot has not yet confirmed it received (by polling past them)."""
        return len(self.world.updates)

    def dump(self, last: int = 30) -> str:
        lines = ["recent calls:"] + [f"  {call}" for call in self.calls[-last:]]
        lines += ["refused calls:"] + [f"  {call}" for call in self.errors()[-last:]]
        return "\n".join(lines)

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        return self.world.callback_answers.get(query_id)

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        return list(
            self.world.commands.get((scope_id(scope or {"type": "default"}), language_code), [])
        )

    def errors(self) -> list[ApiCall]:
        return [call for call in self.calls if not call.ok and not call.abandoned]


async def _raw_params(request: web.Request) -> dict[str, Any]:
    raw: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an object")
        raw.update(body)
    elif request.can_read_body:
        raw.update(await request.post())
    return raw


def _shown(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (
            v
            if isinstance(v, str | int | float | bool | dict | list)
            else f"<file {getattr(v, 'filename', '')}>"
        )
        for k, v in params.items()
    }


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.error_code, dumps=_compact)


def _compact(value: Any) -> str:
    """JSON as Telegram writes it: no spaces, non-ASCII escaped."""
    return json.dumps(value, separators=(",", ":"))
