"""Channels the bot posts briefs to: since when each is configured, and what it is owed.

No table of its own: when a channel was first configured is a named value in bot_state
(`channel:<id>`, migration 4), and each post is a row of the delivery record
(storage/deliveries.py), keyed by brief and channel like any copy. So a post is made once
per brief and channel whatever restarts in between, and a correction finds it with the
other copies.
"""

from __future__ import annotations

from datetime import datetime

from storage.db import from_db, to_db
from storage.sql import Sql, portable

PREFIX = "channel:"

# Live briefs published after `since` with no post in the channel yet, or whose last
# attempt failed fewer than `attempts` times: oldest first, over the briefs_live index.
_DUE = portable("""
SELECT b.id FROM briefs AS b
LEFT JOIN deliveries AS d ON d.brief_id = b.id AND d.chat_id = ?
WHERE b.retracted_at IS NULL AND b.published_at > ?
  AND (d.status IS NULL OR (d.status = 'failed' AND d.attempts < ?))
ORDER BY b.published_at, b.id
LIMIT ?
""")


class ChannelRepo:
    """Its SQL reads alike on both engines (storage.sql.Sql)."""

    def __init__(self, db: Sql) -> None:
        self._db = db

    async def configure(self, chat_id: int, *, at: datetime) -> datetime:
        """Note the channel as configured from `at` unless it already was; returns since when.

        Two processes starting at once agree on one moment (the first written).
        """
        await self._db.write(
            "INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            (f"{PREFIX}{chat_id}", str(to_db(at)), to_db(at)),
        )
        row = await self._db.fetch_one(
            "SELECT value FROM bot_state WHERE key = ?", (f"{PREFIX}{chat_id}",)
        )
        assert row is not None, "just written, and nothing deletes it"
        return from_db(int(row[0]))

    async def known(self) -> dict[int, datetime]:
        """Every channel ever configured (still or not), with since when: their posts are
        copies a correction edits even after a channel leaves CHANNEL_IDS."""
        rows = await self._db.fetch_all(
            "SELECT key, value FROM bot_state WHERE substr(key, 1, ?) = ?",
            (len(PREFIX), PREFIX),
        )
        return {int(r[0][len(PREFIX) :]): from_db(int(r[1])) for r in rows}

    async def due(
        self, chat_id: int, *, since: datetime, attempts: int, limit: int = 50
    ) -> list[int]:
        """Briefs to post in the channel now, oldest first (see _DUE)."""
        rows = await self._db.fetch_all(_DUE, (chat_id, to_db(since), attempts, limit))
        return [int(r[0]) for r in rows]
