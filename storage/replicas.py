"""The bot's running processes, each with the lease its heartbeat renews
(bot/core/replicas/replica.py).

Every time here is read from the database's clock (`now`, storage.db.SQLITE_NOW), never from a
replica's: a replica whose own clock stopped (a paused VM) or runs wrong is judged by the
same clock as every other. A replica whose lease ran out some grace ago is taken for dead:
its row is deleted, and what it held (sends it had claimed, the pushes it ran) goes to the
living, through storage.deliveries.release_in_flight and storage.pushes.take_over, which
take what no registered replica owns. Its next heartbeat finds no row: that is how it
learns it lost everything.

Its SQL reads alike on both engines: the same class serves SQLite and, through
storage.postgres.db.PortableSql, PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

from storage.sql import Sql

_MICROSECOND = timedelta(microseconds=1)


def _micros(span: timedelta) -> int:
    return span // _MICROSECOND


class ReplicaRepo:
    def __init__(self, db: Sql) -> None:
        self._db = db
        # `now` is the engine's constant clock expression, never input: safe to splice.
        now = db.now
        self._join = f"""INSERT INTO replicas (id, started_at, seen_at, lease_until)
                         VALUES (?, {now}, {now}, {now} + ?)
                         ON CONFLICT (id) DO UPDATE SET
                             seen_at = excluded.seen_at, lease_until = excluded.lease_until"""
        self._beat = f"UPDATE replicas SET seen_at = {now}, lease_until = {now} + ? WHERE id = ?"
        self._dead = f"DELETE FROM replicas WHERE lease_until < {now} - ? RETURNING id"

    async def join(self, replica_id: str, *, lease: timedelta) -> None:
        """Register the replica (again), holding a lease for `lease` from now."""
        await self._db.write(self._join, (replica_id, _micros(lease)))

    async def beat(self, replica_id: str, *, lease: timedelta) -> bool:
        """Renew the lease for `lease` from now. False when the replica is not registered:
        it was taken for dead (what it held is another's now), or it left."""
        return await self._db.write(self._beat, (_micros(lease), replica_id)) > 0

    async def take_for_dead(self, *, grace: timedelta) -> list[str]:
        """Delete the replicas whose lease ran out more than `grace` ago; their ids. Atomic
        with a beat of the same replica: it is either renewed or taken, never both."""
        rows = await self._db.write_returning(self._dead, (_micros(grace),))
        return sorted(str(row[0]) for row in rows)

    async def leave(self, replica_id: str) -> None:
        """The replica stopped cleanly: what it still holds is given up at once."""
        await self._db.write("DELETE FROM replicas WHERE id = ?", (replica_id,))

    async def forget_all_but(self, replica_id: str) -> int:
        """Drop every replica but `replica_id`: on SQLite, the one bot process serving the
        file knows the others are gone."""
        return await self._db.write("DELETE FROM replicas WHERE id != ?", (replica_id,))
