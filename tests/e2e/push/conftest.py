"""Helpers for push tests: briefs and subscribers written straight into the database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from brief import Brief, parse_text
from storage import DeliveryRecord, Storage, StoredBrief, Subscriber

BRIEFS = Path(__file__).parents[2] / "data" / "briefs"


def example_brief(title: str | None = None) -> Brief:
    brief = parse_text((BRIEFS / "harbor-bridge-vote.txt").read_text(encoding="utf-8")).brief
    if title is None:
        return brief
    from dataclasses import replace

    return replace(brief, title=title)


async def publish(db_path: Path, *titles: str, at: datetime | None = None) -> list[StoredBrief]:
    """Publish one brief per title, a second apart, ending at `at` (default: a minute ago)."""
    end = at or datetime.now(UTC) - timedelta(minutes=1)
    async with await Storage.open(db_path) as storage:
        return [
            await storage.briefs.publish(
                example_brief(title),
                by=None,
                at=end - timedelta(seconds=len(titles) - index),
            )
            for index, title in enumerate(titles)
        ]


async def add_subscribers(
    db_path: Path,
    chat_ids: list[int],
    *,
    due: datetime | None = None,
    subscribed: datetime | None = None,
    clock: time = time(8, 0),
    zone: str = "UTC",
) -> None:
    """Subscribed a day ago (by default) and due a moment ago: the next tick delivers."""
    now = datetime.now(UTC)
    async with await Storage.open(db_path) as storage:
        for chat_id in chat_ids:
            await storage.subscribers.subscribe(
                chat_id,
                delivery_time=clock,
                timezone=zone,
                next_due_at=due or now - timedelta(seconds=1),
                at=subscribed or now - timedelta(days=1),
            )


async def subscriber(db_path: Path, chat_id: int) -> Subscriber | None:
    async with await Storage.open(db_path) as storage:
        return await storage.subscribers.get(chat_id)


async def delivery(db_path: Path, brief_id: int, chat_id: int) -> DeliveryRecord | None:
    async with await Storage.open(db_path) as storage:
        return await storage.deliveries.get(brief_id, chat_id)
