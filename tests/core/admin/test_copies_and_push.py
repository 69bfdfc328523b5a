"""After a correction or a withdrawal, the copies already out and the admin's report on them
(bot/core/publishing/corrections.py, replace_copies); and what /push answers
(bot/core/push/broadcast.py, push_command)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.chat import CopyAt, Edit, Keyboard, Reply, SentVoice, ShowPart, VoiceNote
from bot.core.publishing.corrections import replace_copies
from bot.core.push.broadcast import push_command
from bot.core.rendering import Renderer
from brief import parse_text
from storage import Storage, StoredBrief
from tests.core.admin.conftest import ADMIN, PUTIN, corrected_text
from tests.core.conftest import NOW, Publish, actions, text_of

REFUSED_CHAT = 5002  # its copy cannot be edited: deleted, or the bot blocked


@dataclass
class Edits:
    """A Messenger that records each edit; the copy in REFUSED_CHAT fails."""

    made: list[tuple[CopyAt, str, Keyboard | None]] = field(default_factory=list)

    async def send(self, chat_id: int, reply: Reply) -> list[int] | None:
        raise AssertionError("replacing copies sends nothing new")

    async def notify(self, chat_id: int, text: str) -> None:
        raise AssertionError("replacing copies notifies nobody")

    async def edit(self, at: CopyAt, text: str, keyboard: Keyboard | None) -> Edit:
        self.made.append((at, text, keyboard))
        return Edit.FAILED if at.chat_id == REFUSED_CHAT else Edit.EDITED

    async def send_voice(self, chat_id: int, note: VoiceNote) -> SentVoice | None:
        raise AssertionError("replacing copies sends nothing new")

    async def edit_caption(self, at: CopyAt, caption: str, keyboard: Keyboard | None) -> Edit:
        return await self.edit(at, caption, keyboard)

    def app_of(self, chat_id: int | None) -> str | None:
        return None

    async def delete(self, at: CopyAt) -> bool:
        return False  # as for a message Telegram keeps: the caption is edited instead


async def pushed(storage: Storage, stored: StoredBrief, *chats: int) -> None:
    for chat_id in chats:
        assert await storage.deliveries.claim(stored.id, chat_id, at=NOW)
        await storage.deliveries.mark_sent(stored.id, chat_id, [chat_id + 70], at=NOW)


async def test_with_no_copies_out_there_is_nothing_to_report(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    messenger = Edits()
    for withdrawn in (False, True):
        report = await replace_copies(messenger, storage, renderer, stored, withdrawn=withdrawn)
        assert report is None
    assert messenger.made == []


async def test_a_correction_edits_every_pushed_copy_and_reports_the_counts(
    storage: Storage, renderer: Renderer, publish: Publish, briefs_dir: Path
) -> None:
    stored = await publish("putin-north-korea.txt")
    await pushed(storage, stored, 5001, REFUSED_CHAT)
    brief = parse_text(corrected_text(briefs_dir)).brief
    corrected = await storage.briefs.correct(stored.id, brief, by=ADMIN, at=NOW)
    assert corrected is not None
    messenger = Edits()
    report = await replace_copies(messenger, storage, renderer, corrected, withdrawn=False)
    assert report is not None
    text = text_of(report)
    assert "Copies of brief #1 already out now show the correction:" in text
    assert "• Copies pushed to readers: 1 edited, 1 could not be edited" in text
    assert "Channel posts" not in text  # a kind without copies is not reported
    copies = {(at.chat_id, at.message_id) for at, _, _ in messenger.made}
    assert copies == {(5001, 5071), (REFUSED_CHAT, REFUSED_CHAT + 70)}
    _, edited, keyboard = messenger.made[0]
    assert "Putin Visits North Korea" in edited
    assert ShowPart(1, "facts") in actions(keyboard)


async def test_a_withdrawal_turns_every_copy_into_the_withdrawn_note(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    await pushed(storage, stored, 5001)
    withdrawn = await storage.briefs.retract(stored.id, by=ADMIN, at=NOW)
    assert withdrawn is not None
    messenger = Edits()
    # A correction's replacement whose turn comes after the withdrawal: the brief is read
    # again, and the copies say it was withdrawn rather than show it again.
    report = await replace_copies(messenger, storage, renderer, stored, withdrawn=False)
    assert report is not None
    text = text_of(report)
    assert "Copies of brief #1 already out now say it was withdrawn:" in text
    assert "• Copies pushed to readers: 1 replaced." in text
    [(at, note, keyboard)] = messenger.made
    assert at == CopyAt(5001, 5071)
    assert text_of(Reply([note])) == f"{PUTIN}\nWithdrawn by the editors."
    assert keyboard is None


async def test_push_refuses_what_it_cannot_push(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    nothing = await push_command(storage, renderer, admin_id=ADMIN, args=[])
    assert text_of(nothing.reply) == "There is no brief to push yet."
    assert nothing.stored is None
    await publish("putin-north-korea.txt")
    await storage.briefs.retract(1, by=ADMIN, at=NOW)
    for args, expected in [
        (["9"], "There is no brief #9."),
        (["1"], "Brief #1 was withdrawn; it cannot be pushed."),
        (["x"], "x is not a brief number. Send /push for the latest brief, or /push 3."),
        (["1", "2"], "1 2 is not a brief number."),
    ]:
        refused = await push_command(storage, renderer, admin_id=ADMIN, args=args)
        assert text_of(refused.reply).startswith(expected)
        assert refused.stored is None


@pytest.mark.parametrize(("args", "brief_id"), [([], 2), (["1"], 1), (["#2"], 2)])
async def test_push_starts_with_the_brief_named_or_the_latest(
    storage: Storage, renderer: Renderer, publish: Publish, args: list[str], brief_id: int
) -> None:
    await publish("putin-north-korea.txt")
    await publish("coastal-wind-farm.txt")
    answer = await push_command(storage, renderer, admin_id=ADMIN, args=args)
    assert answer.stored is not None
    assert answer.stored.id == brief_id
    [status] = answer.reply.texts
    assert f"Pushing brief #{brief_id} · {answer.stored.brief.title}" in text_of(answer.reply)
    assert "counting the subscribers who have not received it" in status
    assert answer.reply.keyboard is None
