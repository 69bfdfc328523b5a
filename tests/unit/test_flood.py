"""The flood gate against an injected clock: bursts, one warning a burst, admins' pastes;
the updates it judges read from Telegram's as the adapter reads them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from telegram import CallbackQuery, Chat, InlineQuery, Message, Update, User

from bot.core.limits.flood import (
    BURST,
    INLINE_BURST,
    INLINE_PER_SECOND,
    MAX_BACKLOG,
    PER_SECOND,
    UPLOAD_BURST,
    USER_BURST,
    USER_PER_SECOND,
    Allowance,
    FloodGate,
    Verdict,
)
from bot.telegram.limits.early import UpdatesRequest, raw_sender
from bot.telegram.limits.flood_handler import arrival

ADMIN = 1000
NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def message(user_id: int, text: str | None = "/facts", chat_id: int | None = None) -> Update:
    chat_id = user_id if chat_id is None else chat_id
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.GROUP)
    sent = Message(1, NOW, chat, from_user=User(user_id, "A", False), text=text)
    return Update(1, message=sent)


def press(user_id: int) -> Update:
    query = CallbackQuery("1", User(user_id, "A", False), "instance", data="brief:1:facts")
    return Update(1, callback_query=query)


def inline(user_id: int, text: str = "harbo") -> Update:
    return Update(1, inline_query=InlineQuery("7", User(user_id, "A", False), text, ""))


def gate(clock: Clock, backlog: dict[int, float] | None = None) -> FloodGate:
    waiting = backlog or {}
    return FloodGate({ADMIN}, lambda chat: waiting.get(chat, 0.0), clock=clock)


def test_a_burst_passes_then_one_warning_then_silence() -> None:
    clock = Clock()
    flood = gate(clock)
    verdicts = [flood.judge(arrival(message(42))) for _ in range(BURST + 50)]
    assert verdicts[:BURST] == [Verdict.PASS] * BURST
    assert verdicts[BURST] is Verdict.WARN
    assert set(verdicts[BURST + 1 :]) == {Verdict.DROP}


def test_the_allowance_refills_and_a_quiet_chat_is_warned_afresh() -> None:
    clock = Clock()
    flood = gate(clock)
    for _ in range(BURST + 2):
        flood.judge(arrival(message(42)))
    clock.now += 1 / PER_SECOND
    assert flood.judge(arrival(message(42))) is Verdict.PASS  # refilled one, still the same burst
    assert flood.judge(arrival(message(42))) is Verdict.DROP
    clock.now += BURST / PER_SECOND
    verdicts = [flood.judge(arrival(message(42))) for _ in range(BURST + 1)]
    assert verdicts[-1] is Verdict.WARN


def test_chats_have_allowances_of_their_own() -> None:
    clock = Clock()
    flood = gate(clock)
    for _ in range(100):
        flood.judge(arrival(message(42)))
    assert flood.judge(arrival(message(43))) is Verdict.PASS
    assert flood.judge(arrival(message(43, chat_id=-500))) is Verdict.PASS


def test_button_presses_count_against_their_chat() -> None:
    clock = Clock()
    flood = gate(clock)
    verdicts = [flood.judge(arrival(press(42))) for _ in range(BURST + 2)]
    assert verdicts[BURST:] == [Verdict.WARN, Verdict.DROP]


def test_a_chat_whose_replies_wait_too_long_is_over_its_allowance() -> None:
    clock = Clock()
    flood = gate(clock, backlog={42: MAX_BACKLOG + 1})
    assert flood.judge(arrival(message(42))) is Verdict.WARN
    assert flood.judge(arrival(message(43))) is Verdict.PASS


def test_an_admins_paste_has_a_larger_allowance_still_bounded() -> None:
    clock = Clock()
    flood = gate(clock, backlog={ADMIN: MAX_BACKLOG + 1})
    pieces = [
        flood.judge(arrival(message(ADMIN, text=f"line {n}"))) for n in range(UPLOAD_BURST + 1)
    ]
    assert pieces[:UPLOAD_BURST] == [Verdict.PASS] * UPLOAD_BURST
    assert pieces[UPLOAD_BURST] is Verdict.WARN
    # An admin's commands, and anyone else's text, have the reader's allowance.
    commands = [flood.judge(arrival(message(ADMIN, text="/stats"))) for _ in range(BURST)]
    assert Verdict.PASS not in commands  # the admin's replies are still waiting
    texts = [flood.judge(arrival(message(42, text="hello"))) for _ in range(BURST + 1)]
    assert texts[-1] is Verdict.WARN


def test_updates_other_than_messages_and_presses_always_pass() -> None:
    clock = Clock()
    flood = gate(clock)
    for _ in range(BURST + 1):
        flood.judge(arrival(message(42)))
    assert flood.judge(arrival(Update(2))) is Verdict.PASS


def test_quiet_chats_are_forgotten() -> None:
    clock = Clock()
    flood = gate(clock)
    for chat in range(1, 10_000):
        flood.judge(arrival(message(chat)))
        clock.now += 0.01
    assert flood.tracked_chats < 4096 + 1000


def as_json(update: Update) -> dict[str, object]:
    parsed: dict[str, object] = json.loads(json.dumps(update.to_dict()))
    return parsed


def test_updates_still_unread_are_dropped_only_where_the_gate_would_say_nothing() -> None:
    clock = Clock()
    flood = gate(clock)
    request = UpdatesRequest(flood, connections=1)
    flooding = [message(42) for _ in range(BURST + 1)]
    for update in flooding:  # read and judged: the chat was told to slow down
        flood.judge(arrival(update))
    batch = [message(42), press(42), message(43), message(ADMIN, text="a line"), message(42)]
    payload = json.dumps({"ok": True, "result": [as_json(u) for u in batch]}).encode()
    kept = request.parse_json_payload(payload)["result"]
    # The flooder's message and press go unread; another reader's and the admin's do not;
    # the last of a batch is always kept, so that PTB confirms the whole batch.
    assert kept == [as_json(batch[2]), as_json(batch[3]), as_json(batch[4])]


def test_unread_updates_name_the_same_chat_as_read_ones() -> None:
    for update in (message(42), message(43, chat_id=-500), press(42), message(ADMIN, "text")):
        sender = raw_sender(as_json(update), {ADMIN})
        assert sender is not None
        assert sender[0] == (update.effective_chat or update.effective_user).id  # type: ignore[union-attr]
    assert raw_sender(as_json(message(ADMIN, "text")), {ADMIN}) == (ADMIN, Allowance.UPLOAD)
    assert raw_sender(as_json(message(ADMIN, "/stats")), {ADMIN}) == (ADMIN, Allowance.CHAT)
    assert raw_sender(as_json(inline(42)), {ADMIN}) == (42, Allowance.INLINE)
    odds: list[object] = [{}, {"message": "x"}, {"callback_query": {"from": {"id": "1"}}}, [], None]
    for odd in odds:
        assert raw_sender(odd, {ADMIN}) is None


def test_inline_queries_have_their_own_allowance_and_are_never_warned() -> None:
    clock = Clock()
    flood = gate(clock, backlog={42: MAX_BACKLOG + 1})  # replies waiting: no matter inline
    verdicts = [flood.judge(arrival(inline(42))) for _ in range(INLINE_BURST + 30)]
    assert verdicts[:INLINE_BURST] == [Verdict.PASS] * INLINE_BURST
    assert set(verdicts[INLINE_BURST:]) == {Verdict.DROP}  # no "slow down" to anyone
    assert flood.drops_silently((42, Allowance.INLINE))
    # Typing used none of the chat's own allowance (its backlog aside).
    assert flood.judge(arrival(message(43))) is Verdict.PASS
    clock.now += 1 / INLINE_PER_SECOND
    assert not flood.drops_silently((42, Allowance.INLINE))
    assert flood.judge(arrival(inline(42))) is Verdict.PASS


def test_one_user_in_many_groups_gets_about_one_chats_allowance_in_all() -> None:
    clock = Clock()
    flood = gate(clock)
    verdicts = [flood.judge(arrival(message(66, chat_id=-5000 - n % 60))) for n in range(360)]
    assert verdicts[:USER_BURST] == [Verdict.PASS] * USER_BURST
    assert verdicts[USER_BURST:].count(Verdict.WARN) == 1  # in one group, once
    assert Verdict.PASS not in verdicts[USER_BURST:]
    clock.now += 1 / USER_PER_SECOND
    assert flood.judge(arrival(message(66, chat_id=-6000))) is Verdict.PASS
    # Others in those groups:
    assert flood.judge(arrival(message(43, chat_id=-5000))) is Verdict.PASS


def test_a_reader_in_a_couple_of_chats_at_once_keeps_each_chats_burst() -> None:
    clock = Clock()
    flood = gate(clock)
    verdicts = [flood.judge(arrival(message(42, chat_id=chat))) for chat in (42, -500) * BURST]
    assert verdicts == [Verdict.PASS] * 2 * BURST


def test_messages_on_behalf_of_a_chat_count_against_that_chat() -> None:
    """Telegram names one anonymous account as the author of every such message, in every
    group: counted against it, one group's anonymous admin would silence all the others."""
    clock = Clock()
    flood = gate(clock)
    anonymous = 1087968824
    for group in range(-500, -500 - 3 * USER_BURST, -1):
        chat = Chat(group, Chat.SUPERGROUP)
        sent = Message(1, NOW, chat, from_user=User(anonymous, "G", True), sender_chat=chat)
        assert flood.judge(arrival(Update(1, message=sent))) is Verdict.PASS
