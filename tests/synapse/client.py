"""A person in Element, as the tests play one: the client-server API over plain aiohttp,
not the library the bot uses, so a mistake the two shared could not hide itself."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp

from tests.synapse.answers import MatrixError, Message, read_answer, shown

T = TypeVar("T")
CLIENT = "/_matrix/client/v3"
# Every filter below leaves out what tests never read (presence, account data, receipts),
# so that neither a sync's answer nor its wake-ups carry them.
_QUIET: dict[str, Any] = {"presence": {"types": []}, "account_data": {"types": []}}
_QUIET_ROOM: dict[str, Any] = {"ephemeral": {"types": []}, "account_data": {"types": []}}
_NOTHING = {**_QUIET, "room": {"rooms": []}}


def _path(value: str) -> str:
    """A room id, event id or user id as one path segment (`!`, `$`, `@`, `:` escaped)."""
    return quote(value, safe="")


class MatrixClient:
    """`async with homeserver.user("alice") as alice:`, or `homeserver.client(account)` for
    an account registered before. Every method raises MatrixError when Synapse refuses."""

    def __init__(self, url: str, user_id: str, access_token: str) -> None:
        self.url = url
        self.user_id = user_id
        self.access_token = access_token
        self._session: aiohttp.ClientSession | None = None
        # Transaction ids are the access token's: a second client on one account (a test
        # reading as the bot, say) reusing one would be answered with the first's event.
        self._transactions = itertools.count()
        self._client_id = uuid.uuid4().hex[:8]

    async def __aenter__(self) -> MatrixClient:
        self._session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {self.access_token}"}
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, str] | None = None,
        timeout: float = 30.0,  # noqa: ASYNC109 (a request's own limit, not a waiting time)
    ) -> dict[str, Any]:
        """One request to `path` under the homeserver (`/_matrix/client/v3/...`)."""
        assert self._session is not None, "use the client in `async with`"
        async with self._session.request(
            method,
            self.url + path,
            json=body,
            params=params,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            return await read_answer(response)

    # -- rooms -------------------------------------------------------------------------------

    async def create_room(
        self,
        *,
        invite: Iterable[str] = (),
        direct: bool = False,
        public: bool = False,
        name: str | None = None,
        encrypted: bool = False,
    ) -> str:
        """A room as Element makes one; its id. `direct`: a direct chat with `invite`, marked
        as one in the invitation and in this user's `m.direct`. `public`: anyone may join and
        it is listed in the room directory. `encrypted`: as Element's direct chats are by
        default (this client itself cannot encrypt: it sends in the clear)."""
        invited = list(invite)
        preset = "public_chat" if public else "trusted_private_chat" if direct else "private_chat"
        body: dict[str, Any] = {
            "preset": preset,
            "invite": invited,
            "is_direct": direct,
            "visibility": "public" if public else "private",
        }
        if name is not None:
            body["name"] = name
        if encrypted:
            encryption = {"algorithm": "m.megolm.v1.aes-sha2"}
            body["initial_state"] = [
                {"type": "m.room.encryption", "state_key": "", "content": encryption}
            ]
        room_id: str = (await self.request("POST", f"{CLIENT}/createRoom", body))["room_id"]
        if direct:
            await self._mark_direct(room_id, invited)
        return room_id

    async def _mark_direct(self, room_id: str, users: list[str]) -> None:
        path = f"{CLIENT}/user/{_path(self.user_id)}/account_data/m.direct"
        try:
            direct = await self.request("GET", path)
        except MatrixError as error:
            if error.errcode != "M_NOT_FOUND":
                raise
            direct = {}  # this user's first direct chat
        for user in users:
            direct.setdefault(user, []).append(room_id)
        await self.request("PUT", path, direct)

    async def invite(self, room_id: str, user_id: str) -> None:
        await self.request("POST", f"{CLIENT}/rooms/{_path(room_id)}/invite", {"user_id": user_id})

    async def join(self, room: str) -> str:
        """Join by room id or alias (accepting an invitation, or a public room); its id."""
        answer = await self.request("POST", f"{CLIENT}/join/{_path(room)}", {})
        room_id: str = answer["room_id"]
        return room_id

    async def leave(self, room_id: str) -> None:
        await self.request("POST", f"{CLIENT}/rooms/{_path(room_id)}/leave", {})

    async def kick(self, room_id: str, user_id: str, reason: str = "") -> None:
        body = {"user_id": user_id, "reason": reason}
        await self.request("POST", f"{CLIENT}/rooms/{_path(room_id)}/kick", body)

    async def ban(self, room_id: str, user_id: str, reason: str = "") -> None:
        body = {"user_id": user_id, "reason": reason}
        await self.request("POST", f"{CLIENT}/rooms/{_path(room_id)}/ban", body)

    async def state(self, room_id: str, event_type: str, state_key: str = "") -> dict[str, Any]:
        path = f"{CLIENT}/rooms/{_path(room_id)}/state/{event_type}/{_path(state_key)}"
        return await self.request("GET", path)

    async def put_state(
        self, room_id: str, event_type: str, content: Mapping[str, Any], state_key: str = ""
    ) -> str:
        """Set a state event (a room's name, power levels, encryption ...); its event id."""
        path = f"{CLIENT}/rooms/{_path(room_id)}/state/{event_type}/{_path(state_key)}"
        event_id: str = (await self.request("PUT", path, content))["event_id"]
        return event_id

    async def set_power_level(self, room_id: str, user_id: str, level: int) -> None:
        """`user_id`'s power in the room (Element's Moderator is 50, Admin 100)."""
        levels = await self.state(room_id, "m.room.power_levels")
        levels.setdefault("users", {})[user_id] = level
        await self.put_state(room_id, "m.room.power_levels", levels)

    async def membership(self, room_id: str, user_id: str) -> str | None:
        """`join`, `invite`, `leave`, `ban` ... or None when `user_id` never was in the room."""
        try:
            member = await self.state(room_id, "m.room.member", user_id)
        except MatrixError as error:
            if error.errcode != "M_NOT_FOUND":
                raise
            return None
        return str(member.get("membership"))

    async def invites(self) -> list[str]:
        """The rooms this user is invited to and has not answered."""
        room = {**_QUIET_ROOM, "timeline": {"limit": 0}, "state": {"types": []}}
        params = {"timeout": "0", "filter": json.dumps({**_QUIET, "room": room})}
        answer = await self.request("GET", f"{CLIENT}/sync", params=params)
        return list(answer.get("rooms", {}).get("invite", {}))

    # -- messages ----------------------------------------------------------------------------

    async def send_event(self, room_id: str, event_type: str, content: Mapping[str, Any]) -> str:
        """Any room event; its event id."""
        txn = f"{self._client_id}-{next(self._transactions)}"
        path = f"{CLIENT}/rooms/{_path(room_id)}/send/{event_type}/{txn}"
        event_id: str = (await self.request("PUT", path, content))["event_id"]
        return event_id

    async def send_text(self, room_id: str, body: str, *, html: str | None = None) -> str:
        """A text message, as Element sends one (with HTML when `html` is given); its id."""
        return await self.send_event(room_id, "m.room.message", _text(body, html))

    async def edit(self, room_id: str, event_id: str, body: str, *, html: str | None = None) -> str:
        """An edit (`m.replace`) of this user's message `event_id`, as Element sends one: the
        new text under `m.new_content`, and a fallback starting with `*`."""
        content = {
            **_text(f"* {body}", f"* {html}" if html is not None else None),
            "m.new_content": _text(body, html),
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
        }
        return await self.send_event(room_id, "m.room.message", content)

    async def upload(self, data: bytes, filename: str, content_type: str) -> str:
        """A file into the media repository; its mxc:// URI."""
        assert self._session is not None, "use the client in `async with`"
        async with self._session.post(
            f"{self.url}/_matrix/media/v3/upload",
            data=data,
            params={"filename": filename},
            headers={"Content-Type": content_type},
        ) as response:
            uri: str = (await read_answer(response))["content_uri"]
            return uri

    async def send_file(
        self, room_id: str, filename: str, data: bytes, content_type: str = "text/plain"
    ) -> str:
        """A file (`m.file`), uploaded first, as Element sends a .txt or .md; its event id."""
        uri = await self.upload(data, filename, content_type)
        content = {
            "msgtype": "m.file",
            "body": filename,
            "filename": filename,
            "url": uri,
            "info": {"mimetype": content_type, "size": len(data)},
        }
        return await self.send_event(room_id, "m.room.message", content)

    async def download(self, mxc: str) -> bytes:
        """A file someone sent (a voice note, say), through the authenticated media API."""
        assert self._session is not None, "use the client in `async with`"
        server_and_id = mxc.removeprefix("mxc://")
        async with self._session.get(
            f"{self.url}/_matrix/client/v1/media/download/{server_and_id}"
        ) as response:
            if response.status != 200:
                await read_answer(response)  # raises, with Synapse's reason
            return await response.read()

    async def messages(self, room_id: str, *, sender: str | None = None) -> list[Message]:
        """Every `m.room.message` in the room that this user may read, oldest first, edits
        included as messages of their own; only `sender`'s when given."""
        found: list[Message] = []
        params = {"dir": "b", "limit": "100", "filter": json.dumps({"types": ["m.room.message"]})}
        while True:
            path = f"{CLIENT}/rooms/{_path(room_id)}/messages"
            page = await self.request("GET", path, params=params)
            found += [Message.from_event(event, room_id) for event in page.get("chunk", [])]
            if "end" not in page or not page.get("chunk"):
                break
            params["from"] = page["end"]
        found.reverse()
        return [message for message in found if sender is None or message.sender == sender]

    async def shown(self, room_id: str, event_id: str) -> Message:
        """The message `event_id` as Element shows it now: its sender's latest edit applied."""
        return shown(await self.messages(room_id), event_id)

    # -- waiting -----------------------------------------------------------------------------

    async def until(
        self,
        room_id: str | None,
        check: Callable[[], Awaitable[T | None]],
        what: str,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 (how long a wait may take, not a request's limit)
    ) -> T:
        """`check()` until it returns something other than None, and return that; checked
        again each time something happens in `room_id` (or anywhere, for None), as a sync
        tells this user, so the wait neither spins nor misses the moment."""
        deadline = time.monotonic() + timeout
        since = await self._position()  # before the check: what comes after it wakes the sync
        while (result := await check()) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            since = await self._next_change(room_id, since, remaining)
        return result

    async def wait_for_message(
        self,
        room_id: str,
        sender: str,
        predicate: Callable[[Message], bool] = lambda message: True,
        *,
        after: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 (how long a wait may take, not a request's limit)
    ) -> Message:
        """The first message `sender` sent in the room that `predicate` accepts, waiting for
        it to come; only among those after the message `after` when given (the event id of
        the command this user sent, say)."""

        async def found() -> Message | None:
            messages = await self.messages(room_id)
            if after is not None:
                ids = [message.event_id for message in messages]
                messages = messages[ids.index(after) + 1 :] if after in ids else []
            return next((m for m in messages if m.sender == sender and predicate(m)), None)

        what = f"a message from {sender} in {room_id}"
        return await self.until(room_id, found, what, timeout=timeout)

    async def wait_for_membership(
        self,
        room_id: str,
        user_id: str,
        membership: str = "join",
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 (how long a wait may take, not a request's limit)
    ) -> None:
        """Until `user_id`'s membership of the room is `membership` (the bot has joined, say)."""

        async def reached() -> bool | None:
            return True if await self.membership(room_id, user_id) == membership else None

        what = f"{user_id}'s membership of {room_id} to be {membership}"
        await self.until(room_id, reached, what, timeout=timeout)

    async def wait_for_invite(self, *, timeout: float = 10.0) -> str:  # noqa: ASYNC109
        """The first room this user is invited to (a direct chat the bot opened, say)."""

        async def invited() -> str | None:
            return next(iter(await self.invites()), None)

        return await self.until(None, invited, f"an invitation for {self.user_id}", timeout=timeout)

    async def _position(self) -> str:
        """Where this user's sync stream is now."""
        params = {"timeout": "0", "filter": json.dumps(_NOTHING)}
        batch: str = (await self.request("GET", f"{CLIENT}/sync", params=params))["next_batch"]
        return batch

    async def _next_change(self, room_id: str | None, since: str, within: float) -> str:
        """Once something happens in the room (or anywhere) after `since`, or `within`
        seconds pass: the stream's new position."""
        room: dict[str, Any] = {**_QUIET_ROOM, "timeline": {"limit": 1}}
        if room_id is not None:
            room["rooms"] = [room_id]
        params = {
            "since": since,
            "timeout": str(int(within * 1000)),
            "filter": json.dumps({**_QUIET, "room": room}),
        }
        answer = await self.request("GET", f"{CLIENT}/sync", params=params, timeout=within + 30)
        batch: str = answer["next_batch"]
        return batch


def _text(body: str, html: str | None) -> dict[str, Any]:
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if html is not None:
        content |= {"format": "org.matrix.custom.html", "formatted_body": html}
    return content
