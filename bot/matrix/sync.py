"""Reading the homeserver's sync stream: invitations, commands, and the bot's own
membership, by one replica at a time.

The stream is read by whichever replica holds the sync lease (storage.matrix, on the
database's clock); the others wait to take it over within SYNC_LEASE seconds of its holder's
death. The position (next_batch) is saved after each batch is handled, and only while the
lease holds, so a stalled reader cannot move it back; each command's event id is taken
once in the database before it is handled, so a take-over that reads a batch again
neither misses nor repeats a command. A command taken by a process that then died is lost
with it, as an update in flight is in Telegram.

Kept in memory, per process: rooms known to be direct chats (two members), asked of the
homeserver again after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from mautrix.api import Method, Path
from mautrix.client import ClientAPI
from mautrix.errors import MatrixConnectionError, MatrixRequestError
from mautrix.types import RoomID

from bot.core.languages import use_locale
from bot.core.limits.flood import Arrival, FloodGate, Verdict
from bot.core.scope import UpdateOutcome
from bot.core.subscriptions.timing import utc_now
from bot.matrix.client import REQUEST_TIMEOUT
from bot.matrix.commands import parse_command
from bot.matrix.context import MatrixHandler, MatrixServices, Message
from bot.matrix.readers import help_handler
from bot.matrix.rooms import Rooms

log = logging.getLogger(__name__)
SYNC_LEASE = 20.0  # seconds a dead reader keeps the stream: its take-over comes within this
POLL_MS = 8_000  # a sync's long poll: renewed well within the lease
WAIT_FOR_LEASE = 5.0  # how often a replica without the lease asks for it
SYNC_RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0)
MAX_GAP = 1000  # events read back in one room's gap; older ones are not answered
GAP_PAGE = 100
KEEP_TAKEN = timedelta(days=2)
PRUNE_EVERY = 3600.0  # seconds  # after a failed sync, growing, then the last again
# The first sync of a new bot reads no history: commands sent before it ran are not
# answered hours late, and invitations pending then are still taken.
_FIRST_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 0}}, "presence": {"types": []}}
TIMELINE_LIMIT = 50  # events a room's part of a batch holds; more: its gap is read
_FILTER: dict[str, Any] = {"presence": {"types": []}, "account_data": {"types": []}}


class SyncReader:
    def __init__(
        self,
        client: ClientAPI,
        services: MatrixServices,
        handlers: Mapping[str, MatrixHandler],
        gate: FloodGate,
        *,
        owner: str,
        on_answer: Callable[[], None] | None = None,
    ) -> None:
        """`on_answer` hears each answer of the homeserver (Matrix alone's /readyz): every
        sync batch, and while another replica holds the lease, a whoami now and then."""
        self._client = client
        self._on_answer = on_answer
        self._services = services
        self._handlers = handlers
        self._gate = gate
        self._owner = owner
        self._rooms = Rooms(client, services)
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._renewed_at = 0.0  # when this process last held the lease (monotonic)
        self._pruned_at = -PRUNE_EVERY  # in memory: a restart prunes at its first batch

    async def run(self) -> None:
        """Until stopped: take the lease, then read and handle batch after batch."""
        failures = 0
        while not self._stopping.is_set():
            try:
                if not await self._leased():
                    await self._standby()
                    continue
                await self._one_batch()
                failures = 0
            except (MatrixRequestError, MatrixConnectionError, OSError, TimeoutError) as error:
                delay = SYNC_RETRY_DELAYS[min(failures, len(SYNC_RETRY_DELAYS) - 1)]
                failures += 1
                log.warning("Matrix sync failed (%s); again in %.0f s", error, delay)
                await self._pause(delay)
            except Exception:
                # A bug must not end Matrix for good: said, and the stream read again.
                delay = SYNC_RETRY_DELAYS[min(failures, len(SYNC_RETRY_DELAYS) - 1)]
                failures += 1
                log.exception("reading the Matrix sync stream failed; again in %.0f s", delay)
                await self._pause(delay)

    async def stop(self) -> None:
        """No batch more; the commands being answered are finished; the lease given up."""
        self._stopping.set()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._services.core.storage.matrix.release_sync_lease(self._owner)

    async def _standby(self) -> None:
        if self._on_answer is not None:
            await self._client.whoami()
            self._on_answer()
        await self._pause(WAIT_FOR_LEASE)

    async def _leased(self) -> bool:
        held = await self._services.core.storage.matrix.take_sync_lease(self._owner, SYNC_LEASE)
        if held:
            self._renewed_at = time.monotonic()
        return held

    async def _keep_lease(self) -> None:
        """Renewed while a long batch is handled (hundreds of invitations to answer, each
        paced by the homeserver), so that it never runs out under a live reader;
        _LeaseLost when another replica holds it now."""
        if time.monotonic() - self._renewed_at < SYNC_LEASE / 4:
            return
        if not await self._leased():
            raise _LeaseLost

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _one_batch(self) -> None:
        matrix = self._services.core.storage.matrix
        since = await matrix.sync_token()
        if since is None:
            batch = await _sync(self._client, None, 0, _FIRST_FILTER)
        else:
            batch = await _sync(self._client, since, POLL_MS, _filter())
        if self._on_answer is not None:
            self._on_answer()
        if self._stopping.is_set() or not await self._leased():
            return  # another replica reads from here: it will see this batch itself
        try:
            await self._handle(batch, since)
        except _LeaseLost:
            log.warning("the Matrix sync lease was taken over; this replica stops reading")
            return  # the new reader reads this batch again: what was taken is not repeated
        token = batch.get("next_batch")
        if isinstance(token, str) and not await matrix.save_sync_token(token, self._owner):
            log.warning("the Matrix sync lease was taken over; this replica stops reading")
        await self._forget_old_events()

    async def _handle(self, batch: Mapping[str, Any], since: str | None) -> None:
        """Each room's part of the batch; a room that cannot be handled is logged and the
        others are (the position moves on: one bad room must not stop every room)."""
        rooms = batch.get("rooms") or {}
        for room_id, invited in (rooms.get("invite") or {}).items():
            await self._keep_lease()
            await self._guarded(room_id, self._rooms.invited(RoomID(room_id), invited))
        for room_id, left in (rooms.get("leave") or {}).items():
            await self._keep_lease()
            await self._guarded(room_id, self._rooms.left(RoomID(room_id), left))
        for room_id, joined in (rooms.get("join") or {}).items():
            await self._keep_lease()
            await self._guarded(room_id, self._joined(RoomID(room_id), joined, since))

    async def _guarded(self, room_id: str, handling: Awaitable[None]) -> None:
        try:
            await handling
        except (MatrixRequestError, MatrixConnectionError, OSError, TimeoutError):
            raise  # the homeserver's trouble: the batch is read again
        except Exception:
            log.exception("failed to handle Matrix room %s", room_id)

    async def _joined(self, room_id: RoomID, joined: Mapping[str, Any], since: str | None) -> None:
        await self._rooms.joined(room_id, joined)
        if since is None:
            return  # a new bot's first batch: no history is answered
        timeline = joined.get("timeline") or {}
        events = list(timeline.get("events") or [])
        if timeline.get("limited") and isinstance(timeline.get("prev_batch"), str):
            # More came since the last batch than the stream gives at once (a take-over
            # after a pause, a busy room): the gap is read too, so no command is missed.
            events = [*await self._gap(room_id, timeline["prev_batch"], since), *events]
        for event in self._since_joined(events):
            await self._event(room_id, event)

    def _since_joined(self, events: list[Any]) -> list[Any]:
        """The events after the bot's own join, when the batch holds it: what was said in
        a room before the bot came in is not for it."""
        bot = self._services.settings.user_id
        for index in range(len(events) - 1, -1, -1):
            event = events[index]
            if (
                isinstance(event, dict)
                and event.get("type") == "m.room.member"
                and event.get("state_key") == bot
                and (event.get("content") or {}).get("membership") == "join"
                # A profile change is a "join" after a join: not the bot coming in.
                and ((event.get("unsigned") or {}).get("prev_content") or {}).get("membership")
                != "join"
            ):
                return events[index + 1 :]
        return events

    async def _gap(self, room_id: RoomID, prev_batch: str, since: str) -> list[Any]:
        """The room's events between the last batch and this one's first, oldest first; at
        most MAX_GAP of them (the newest)."""
        found: list[Any] = []
        start = prev_batch
        while len(found) < MAX_GAP:
            query = {"from": start, "to": since, "dir": "b", "limit": str(GAP_PAGE)}
            page = await self._client.api.request(
                Method.GET, Path.v3.rooms[room_id].messages, query_params=query
            )
            chunk = page.get("chunk") or [] if isinstance(page, dict) else []
            found.extend(chunk)
            end = page.get("end") if isinstance(page, dict) else None
            if not chunk or not isinstance(end, str) or end == start:
                break
            start = end
        return found[:MAX_GAP][::-1]

    async def _forget_old_events(self) -> None:
        """Event ids taken are kept KEEP_TAKEN: longer than any batch is ever read again."""
        moment = time.monotonic()
        if moment - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = moment
        await self._services.core.storage.matrix.forget_events_before(utc_now() - KEEP_TAKEN)

    async def _event(self, room_id: RoomID, event: Mapping[str, Any]) -> None:
        sender, event_id = event.get("sender"), event.get("event_id")
        if not isinstance(sender, str) or not isinstance(event_id, str):
            return
        if sender == self._services.settings.user_id:
            return
        kind = event.get("type")
        if kind == "m.room.encrypted":
            await self._rooms.encrypted(room_id)
            return
        if kind != "m.room.message":
            return
        content = event.get("content") or {}
        if not isinstance(content, dict) or "m.new_content" in content:
            return  # an edit of an earlier message is no new command
        body = content.get("body")
        if not isinstance(body, str):
            return
        matrix = self._services.core.storage.matrix
        if not await matrix.take_event(event_id, utc_now()):
            return  # handled already, by this replica before a restart or by another
        task = asyncio.create_task(self._answer(room_id, sender, event_id, body, content))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(
        self, room_id: RoomID, sender: str, event_id: str, body: str, content: Mapping[str, Any]
    ) -> None:
        """One message, in a task of its own (its locale is its own): gated, then handled,
        counted in /metrics as a "matrix_message" update."""
        started = time.monotonic()
        outcome = UpdateOutcome.HANDLED
        try:
            message = await self._message(room_id, sender, event_id, body, content)
            verdict = self._gate.judge(Arrival(chat=message.chat_id, user=message.reader_id))
            if verdict is not Verdict.PASS:
                outcome = UpdateOutcome.DROPPED
                if verdict is Verdict.WARN:
                    text = self._services.core.renderer.render("slow_down.html")
                    await self._services.messenger.notify(message.chat_id, text)
                return
            use_locale(await self._rooms.locale(message.chat_id))
            await self._dispatch(message)
        except Exception:
            # A bug answering one message must not end the stream for every room.
            outcome = UpdateOutcome.FAILED
            log.exception("failed to answer a Matrix message in %s", room_id)
        finally:
            elapsed = time.monotonic() - started
            self._services.core.metrics.update_handled("matrix_message", outcome, elapsed)

    async def _message(
        self, room_id: RoomID, sender: str, event_id: str, body: str, content: Mapping[str, Any]
    ) -> Message:
        matrix = self._services.core.storage.matrix
        command = parse_command(body)
        return Message(
            room_id=room_id,
            chat_id=await matrix.id_of(room_id),
            sender=sender,
            reader_id=await matrix.id_of(sender),
            args=command.args if command is not None else [],
            direct=await self._rooms.is_direct(room_id),
            event_id=event_id,
            name=command.name if command is not None else "",
            content=content,
        )

    async def _dispatch(self, message: Message) -> None:
        """The command's handler; an admin's text or file in a direct chat is an upload;
        anything else in a direct chat is answered with the help, and in a room left alone
        (people talk there)."""
        handler = self._handlers.get(message.name) if message.name else None
        if handler is not None:
            await handler(self._services, message)
            return
        uploads = self._handlers.get(UPLOAD)
        admin = message.sender in self._services.settings.admin_ids
        if uploads is not None and admin and message.direct and not message.name:
            await uploads(self._services, message)
        elif message.direct:
            await help_handler(self._services, message)


def _filter() -> dict[str, Any]:
    return {**_FILTER, "room": {"timeline": {"limit": TIMELINE_LIMIT}}}


class _LeaseLost(Exception):
    """Another replica reads the stream now: this one stops handling its batch."""


# The key an admin's message that is no command is handled under (bot/matrix/editors.py).
UPLOAD = "@upload"


async def _sync(
    client: ClientAPI, since: str | None, timeout_ms: int, filter_: Mapping[str, Any]
) -> dict[str, Any]:
    """One /sync, unparsed: the rooms' events are read as plain JSON here."""
    query = {"timeout": str(timeout_ms), "filter": json.dumps(filter_)}
    if since:
        query["since"] = since
    # The long poll's own time on top of the request's.
    timeout = timeout_ms / 1000 + REQUEST_TIMEOUT
    batch = await asyncio.wait_for(
        client.api.request(Method.GET, Path.v3.sync, query_params=query), timeout
    )
    return batch if isinstance(batch, dict) else {}
