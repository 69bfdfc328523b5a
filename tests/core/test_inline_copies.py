"""A brief sent through inline mode (bot/core/publishing/inline_copies.py): recorded once,
and brought up to date at once when the answer it came from was older than the brief."""

from __future__ import annotations

from bot.core.chat import CopyAt, Edit, Keyboard, OpenPart, Reply, SentVoice, VoiceNote
from bot.core.publishing.inline_copies import record_chosen
from bot.core.rendering import Renderer
from storage import InlineCopy, Storage
from tests.core.conftest import NOW, READER, Publish, actions, plain

SENT = "inline-message-1"


class EditsKept:
    """A Messenger that keeps the edits asked of it."""

    def __init__(self) -> None:
        self.edits: list[tuple[CopyAt, str, Keyboard | None]] = []

    async def send(self, chat_id: int, reply: Reply) -> list[int] | None:
        raise AssertionError("a chosen result sends nothing")

    async def notify(self, chat_id: int, text: str) -> None:
        raise AssertionError("a chosen result notifies nobody")

    async def edit(self, at: CopyAt, text: str, keyboard: Keyboard | None) -> Edit:
        self.edits.append((at, text, keyboard))
        return Edit.EDITED

    async def send_voice(self, chat_id: int, note: VoiceNote) -> SentVoice | None:
        raise AssertionError("a chosen result sends no voice note")

    async def edit_caption(self, at: CopyAt, caption: str, keyboard: Keyboard | None) -> Edit:
        raise AssertionError("a chosen result has no caption to edit")

    def app_of(self, chat_id: int | None) -> str | None:
        return None

    async def delete(self, at: CopyAt) -> bool:
        raise AssertionError("a chosen result is edited, never deleted")


def chosen(brief_id: int) -> InlineCopy:
    return InlineCopy(SENT, brief_id, READER, NOW)


async def test_a_result_of_the_current_version_is_recorded_and_left_alone(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    messenger = EditsKept()
    await record_chosen(storage, messenger, renderer, chosen(stored.id), stored.version)
    assert await storage.inline_copies.of_brief(stored.id) == [chosen(stored.id)]
    assert messenger.edits == []


async def test_a_result_from_before_a_correction_shows_the_correction(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    corrected = await storage.briefs.correct(stored.id, stored.brief, by=None, at=NOW)
    assert corrected is not None
    messenger = EditsKept()
    await record_chosen(storage, messenger, renderer, chosen(stored.id), stored.version)
    [(at, text, keyboard)] = messenger.edits
    assert at == CopyAt(inline_message_id=SENT)
    assert plain(text).startswith("Putin Makes First Visit to North Korea in 24 Years")
    assert OpenPart(stored.id, "facts") in actions(keyboard)


async def test_a_result_of_a_brief_withdrawn_since_says_so(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    await storage.briefs.retract(stored.id, by=None, at=NOW)
    messenger = EditsKept()
    await record_chosen(storage, messenger, renderer, chosen(stored.id), stored.version)
    [(_, text, keyboard)] = messenger.edits
    assert "Withdrawn by the editors" in plain(text)
    assert keyboard is None


async def test_a_result_told_twice_is_acted_on_once(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    await storage.briefs.retract(stored.id, by=None, at=NOW)
    messenger = EditsKept()
    for _ in range(2):
        await record_chosen(storage, messenger, renderer, chosen(stored.id), stored.version)
    assert len(messenger.edits) == 1
    assert len(await storage.inline_copies.of_brief(stored.id)) == 1
