"""The making loop in process, with a stand-in speaker where the real engine adds nothing:
a voice note too large for Telegram is split between facts, a failure or a language without
a voice is recorded with the job, and a withdrawn brief is not spoken (the real engines are
tested end to end: tests/e2e/test_listen.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.audio.making import AudioMaker, split_segments
from bot.core.audio.script import Block, Segment, script
from bot.core.audio.synthesis import Speech, SynthesisFailed
from bot.core.rendering import Renderer
from storage import Storage
from tests.core.conftest import NOW, Publish


@dataclass
class Speaker:
    """Ten bytes of "audio" for each character said; fails when `fails` says why."""

    languages: tuple[str, ...] = ("en",)
    fails: str | None = None
    said: list[list[str]] = field(default_factory=list)

    def speaks(self, language: str) -> bool:
        return language in self.languages

    async def synthesize(self, segments: Sequence[str], language: str) -> Speech:
        self.said.append(list(segments))
        if self.fails is not None:
            raise SynthesisFailed(self.fails)
        size = sum(len(s) for s in segments) * 10
        return Speech(b"\0" * size, size / 4000, "test-engine")


def maker(
    storage: Storage,
    renderer: Renderer,
    speaker: Speaker,
    part_bytes: int = 1_000_000,
    bytes_per_character: int = 1,
) -> AudioMaker:
    made = AudioMaker(
        storage,
        renderer,
        owner="test",
        clock=lambda: NOW,
        part_bytes=part_bytes,
        bytes_per_character=bytes_per_character,
    )
    made._speaker = speaker  # driven a job at a time, without the loop's task
    return made


async def test_a_voice_note_over_one_megabyte_is_split_between_facts(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("northfield-budget-long.txt")
    segments = script(stored.brief, renderer)
    characters = sum(len(s.text) for s in segments)
    speaker = Speaker()
    # The long brief spoken at ten bytes a character: about three times the limit.
    limit = characters * 10 // 3 + 1
    made = maker(storage, renderer, speaker, part_bytes=limit)
    assert await made.make_next() is False  # nothing wanted yet
    assert await storage.audio.want(stored.id, stored.version, at=NOW)
    assert await made.make_next() is True
    audio = await storage.audio.current(stored.id, stored.version)
    assert audio is not None
    assert audio.kind == "generated"
    assert len(audio.parts) >= 3
    assert all(len(part.data) <= limit for part in audio.parts)
    # Every segment said exactly once across the parts, in order, none cut.
    spoken = [text for said in speaker.said[1:] for text in said]
    assert sorted(spoken) == sorted(s.text for s in segments)
    assert audio.engine == "test-engine"


async def test_a_brief_surely_over_one_voice_note_is_split_before_it_is_spoken(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    """At the fewest bytes a character makes it is already too long: each part is spoken
    once, the whole never."""
    stored = await publish("northfield-budget-long.txt")
    segments = script(stored.brief, renderer)
    characters = sum(len(s.text) for s in segments)
    speaker = Speaker()  # ten bytes a character, as the estimate says
    limit = characters * 10 // 3 + 1
    made = maker(storage, renderer, speaker, part_bytes=limit, bytes_per_character=10)
    assert await storage.audio.want(stored.id, stored.version, at=NOW)
    assert await made.make_next() is True
    audio = await storage.audio.current(stored.id, stored.version)
    assert audio is not None
    assert len(audio.parts) == len(speaker.said) >= 3
    assert all(len(said) < len(segments) for said in speaker.said)
    assert [text for said in speaker.said for text in said] == [s.text for s in segments]
    assert all(len(part.data) <= limit for part in audio.parts)


def test_segments_split_into_runs_of_whole_segments() -> None:
    segments = [Segment(Block.FACT, n, "x" * size) for n, size in enumerate([10] * 9, 1)]
    groups = split_segments(segments, 3)
    assert [len(g) for g in groups] == [3, 3, 3]
    assert [s for g in groups for s in g] == segments
    # Never more runs than segments, never an empty one.
    assert [len(g) for g in split_segments(segments[:2], 5)] == [1, 1]
    uneven = [Segment(Block.FACT, n, "x" * size) for n, size in enumerate([50, 1, 1, 1], 1)]
    assert [len(g) for g in split_segments(uneven, 2)] == [1, 3]


async def test_a_failure_is_recorded_with_its_reason_and_readers_told(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    await storage.audio.want(stored.id, stored.version, at=NOW)
    speaker = Speaker(fails="piper ran longer than 120 s and was stopped")
    assert await maker(storage, renderer, speaker).make_next() is True
    audio = await storage.audio.current(stored.id, stored.version)
    assert audio is not None
    assert not audio.parts
    assert audio.status == "failed"


async def test_a_language_without_a_voice_gets_none_and_is_not_spoken(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    stored = await publish("putin-north-korea.txt")
    await storage.audio.want(stored.id, stored.version, at=NOW)
    speaker = Speaker(languages=("es",))
    assert await maker(storage, renderer, speaker).make_next() is True
    audio = await storage.audio.current(stored.id, stored.version)
    assert audio is not None
    assert audio.status == "none"
    assert speaker.said == []


async def test_the_backfill_wants_every_live_brief_without_audio(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    first = await publish("putin-north-korea.txt")
    second = await publish("harbor-bridge-vote.txt")
    await storage.briefs.retract(first.id, by=None, at=NOW)
    speaker = Speaker()
    made = maker(storage, renderer, speaker)
    assert await made.backfill() == 1
    assert await made.make_next() is True
    assert await made.make_next() is False
    audio = await storage.audio.current(second.id, second.version)
    assert audio is not None
    assert len(audio.parts) == 1
