"""Two admins correct the same version: the second Publish is refused, says who published
what since, and the first fix stays; the second admin can send theirs again."""

from __future__ import annotations

from pathlib import Path

from storage import Storage
from tests.e2e.conftest import ADMIN_ID, AppFactory, press, publish_file, say
from tests.fakebot import FakeBotApi, FakeUser, SentMessage

SECOND_ADMIN = 2000


def fixed(briefs_dir: Path, title: str) -> str:
    lines = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join([title, *lines[1:]])


async def prepare(server: FakeBotApi, admin: FakeUser, text: str) -> SentMessage:
    """/correct 1, then the corrected brief: the preview's details, with its buttons."""
    await say(server, admin, "/correct 1")
    _, details = await say(server, admin, text, expect=2)
    return details


async def test_a_correction_made_from_a_replaced_version_is_refused_and_can_be_sent_again(
    server: FakeBotApi,
    make_app: AppFactory,
    reader: FakeUser,
    briefs_dir: Path,
    db_path: Path,
    storage: Storage,
) -> None:
    await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")
    first, second = server.user(ADMIN_ID, "Editor"), server.user(SECOND_ADMIN, "Night editor")
    async with make_app(ADMIN_IDS=f"{ADMIN_ID},{SECOND_ADMIN}"):
        mine = await prepare(server, first, fixed(briefs_dir, "Toll Approved, Editor's Fix"))
        theirs = await prepare(server, second, fixed(briefs_dir, "Toll Approved, Night Fix"))
        _, [done] = await press(server, second, theirs, "Publish", expect=1)
        assert "Brief #1 corrected (version 2)" in done.text

        _, [refused] = await press(server, first, mine, "Publish", expect=1)

        assert "Not published" in refused.text
        assert "made from version 1 of brief #1" in refused.text
        assert f"version 2 by {SECOND_ADMIN}" in refused.text  # who, which version
        assert "UTC" in refused.text  # and when
        assert "/correct 1" in refused.text
        kept = server.world.messages[(first.id, mine.message_id)]
        assert kept.button("Discard")  # nothing changed: the preview keeps its buttons
        [shown] = await say(server, reader, "/brief 1")
        assert shown.text.startswith("Toll Approved, Night Fix")  # the first fix stays
        current = await storage.briefs.get(1)
        assert current is not None
        assert current.version == 2
        history = [e.action for e in await storage.briefs.history(1)]
        assert history == ["publish", "correct"]

        # Sent again, made from version 2 now, it publishes as version 3.
        again = await prepare(server, first, fixed(briefs_dir, "Toll Approved, Merged Fix"))
        assert "correction to brief #1 (version 3)" in again.text
        _, [merged] = await press(server, first, again, "Publish", expect=1)
        assert "Brief #1 corrected (version 3)" in merged.text
