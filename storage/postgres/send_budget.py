"""The sending budget the replicas share (the replicas themselves: storage/replicas.py,
which serves both engines).

The budget is Telegram's limits kept where every replica reads them, as two "theoretical
arrival times" (GCRA): the time the next global send slot is free (send_budget), and per
chat the time its allowance is whole again (chat_turns). Both are seconds on the
database server's clock, so replicas whose clocks disagree still agree on them. One
statement reserves a slot or a turn, and row locks order replicas asking at once.
"""

from __future__ import annotations

from storage.postgres.db import PgDatabase

# Reserve `count` slots `interval` apart, from the later of the next free one and now;
# yields the first slot and the server's now. A pause pushes the next slot to now + pause.
_SLOTS = """
WITH now AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t),
taken AS (
    INSERT INTO send_budget AS b (next_at)
    SELECT t + $1::int * $2::float8 FROM now
    ON CONFLICT (only_row) DO UPDATE
        SET next_at = greatest(b.next_at, (SELECT t FROM now)) + $1::int * $2::float8
    RETURNING next_at
)
SELECT taken.next_at - $1::int * $2::float8, now.t FROM taken, now
"""

_PAUSE = """
INSERT INTO send_budget AS b (next_at)
SELECT extract(epoch FROM clock_timestamp()) + $1::float8
ON CONFLICT (only_row) DO UPDATE
    SET next_at = greatest(b.next_at, extract(epoch FROM clock_timestamp()) + $1::float8)
"""

# The chat's turn: the later of when its allowance is whole and now, advanced by one
# interval; yields seconds from now until that turn (before any burst allowance).
_TURN = """
WITH now AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t),
turn AS (
    INSERT INTO chat_turns AS c (chat_id, full_at)
    SELECT $1::bigint, t + $2::float8 FROM now
    ON CONFLICT (chat_id) DO UPDATE
        SET full_at = greatest(c.full_at, (SELECT t FROM now)) + $2::float8
    RETURNING full_at
)
SELECT turn.full_at - $2::float8 - now.t FROM turn, now
"""


class PgSendBudget:
    """The global slots and per-chat turns, for bot/core/budget/shared.py."""

    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    async def slots(self, count: int, interval: float) -> tuple[float, float]:
        """Reserve `count` send slots `interval` seconds apart: (the first, the server's now)."""
        row = await self._db.fetch_one(_SLOTS, count, interval)
        assert row is not None  # the upsert always yields its row
        return float(row[0]), float(row[1])

    async def pause(self, seconds: float) -> None:
        """No slot before `seconds` from now: Telegram asked every sender to wait."""
        await self._db.write(_PAUSE, seconds)

    async def chat_turn(self, chat_id: int, interval: float) -> float:
        """Reserve the chat's next turn, `interval` after its previous: seconds until it."""
        row = await self._db.fetch_one(_TURN, chat_id, interval)
        assert row is not None
        return float(row[0])

    async def forget_turns(self) -> int:
        """Drop the chats whose allowance is whole again: as good as never seen."""
        return await self._db.write(
            "DELETE FROM chat_turns WHERE full_at < extract(epoch FROM clock_timestamp())"
        )
