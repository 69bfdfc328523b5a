"""Each chat's language, kept so that what the bot sends without an update to read it from
(the daily push, corrections of pushed copies) is in the chat's language: the language the
chat chose, and Telegram's language_code as last seen for it (migration 14,
storage/languages_schema.py). Which language a chat is then answered in is the core's
choice (bot/core/languages.py), not storage's.

One repository on both engines (storage.sql.Sql); only reading many chats at once differs
(SQLite's json_each, PostgreSQL's arrays), so both statements stand here, picked by
dialect. A group that becomes a supergroup takes its row along
(storage.subscribers.SubscriberRepo.migrate).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.cache import LRU
from storage.db import Row, to_db
from storage.models import ChatLanguage
from storage.sql import Dialect, Sql, portable

# Telegram's language_code is an IETF tag of a few letters ("pt-br"); whatever comes is
# kept, cut to this, so that a malformed one costs no more than a well-formed one.
LANGUAGE_CODE_CHARS = 35
# Chats read by one statement of of_chats(): a push's corrections ask for thousands.
CHATS_PER_READ = 500

# The WHERE makes a value that did not change write nothing, and keeps changed_at.
# coalesce(..., ''), not IS DISTINCT FROM (SQLite 3.39 and later only): '' is never kept.
_UPSERT = """
INSERT INTO chat_languages (chat_id, chosen, seen, changed_at) VALUES (?, ?, ?, ?)
ON CONFLICT (chat_id) DO UPDATE SET {column} = excluded.{column},
                                    changed_at = excluded.changed_at
 WHERE coalesce(chat_languages.{column}, '') <> coalesce(excluded.{column}, '')
"""
_SET = {column: portable(_UPSERT.format(column=column)) for column in ("chosen", "seen")}
# Clearing needs no row where there is none.
_CLEAR = {
    column: portable(
        f"""UPDATE chat_languages SET {column} = NULL, changed_at = ?
             WHERE chat_id = ? AND {column} IS NOT NULL"""
    )
    for column in ("chosen", "seen")
}

# One chat: a row whether or not either table has one for it.
_ONE = portable("""
SELECT l.chosen, l.seen, s.timezone
  FROM (SELECT CAST(? AS BIGINT) AS chat_id) AS c
  LEFT JOIN chat_languages AS l ON l.chat_id = c.chat_id
  LEFT JOIN subscribers AS s ON s.chat_id = c.chat_id
""")
_MANY_FROM: dict[Dialect, str] = {
    "sqlite": "(SELECT value AS chat_id FROM json_each(?)) AS c",
    "postgresql": "unnest(?::bigint[]) AS c (chat_id)",
}
_MANY = {
    dialect: portable(f"""
SELECT c.chat_id, l.chosen, l.seen, s.timezone
  FROM {chats}
  LEFT JOIN chat_languages AS l ON l.chat_id = c.chat_id
  LEFT JOIN subscribers AS s ON s.chat_id = c.chat_id
""")
    for dialect, chats in _MANY_FROM.items()
}


def _language(row: Row | None, first: int = 0) -> ChatLanguage:
    """The ChatLanguage of a row's (chosen, seen, zone), from its column `first`."""
    if row is None:
        return ChatLanguage(chosen=None, seen=None, zone=None)
    return ChatLanguage(chosen=row[first], seen=row[first + 1], zone=row[first + 2])


# Chats whose language and zone are kept in memory, where one bot process serves the
# database (SQLite's): only it writes these tables (a language chosen here, a subscription
# changed through SubscriberRepo, which tells forget()), so what it read is what the tables
# hold, and an update costs no read. Forgotten chats are read again; after a restart every
# chat is. With several replicas (PostgreSQL) another may write at any time, so nothing is
# kept: each update costs one short statement.
CHATS_KEPT = 100_000


class ChatLanguageRepo:
    """`remember`: keep what was read in memory, for a database only this process writes."""

    def __init__(self, db: Sql, *, remember: bool = False) -> None:
        self._db = db
        self._known: LRU[int, ChatLanguage] | None = LRU(CHATS_KEPT) if remember else None
        self._writes = 0  # a read that overlapped a write must not remember what it read

    def forget(self, chat_id: int) -> None:
        """The chat's row, or its subscription's zone, is about to change."""
        self._writes += 1
        if self._known is not None:
            self._known.discard(chat_id)

    async def choose(self, chat_id: int, language: str | None, *, at: datetime) -> None:
        """The chat chose `language` (None: it no longer chooses, Telegram's is used)."""
        # Forgotten before and after: a read between the two is not kept.
        self.forget(chat_id)
        if language:
            await self._db.write(_SET["chosen"], (chat_id, language, None, to_db(at)))
        else:
            await self._db.write(_CLEAR["chosen"], (to_db(at), chat_id))
        self.forget(chat_id)

    async def seen(self, chat_id: int, telegram_code: str | None, *, at: datetime) -> None:
        """Telegram gave `telegram_code` as the language of the chat's user (None: it gave
        none). A code that did not change writes nothing; taken when a chat subscribes or
        chooses, not at every update."""
        code = (telegram_code or "").strip()[:LANGUAGE_CODE_CHARS]
        self.forget(chat_id)
        if code:
            await self._db.write(_SET["seen"], (chat_id, None, code, to_db(at)))
        else:
            await self._db.write(_CLEAR["seen"], (to_db(at), chat_id))
        self.forget(chat_id)

    async def get(self, chat_id: int) -> ChatLanguage:
        """The chat's language, and the time zone of its subscription (active or not: the
        zone the reader last chose is still theirs), in one query or from memory."""
        known = None if self._known is None else self._known.get(chat_id)
        if known is not None:
            return known
        writes = self._writes
        found = _language(await self._db.fetch_one(_ONE, (chat_id,)))
        if self._known is not None and writes == self._writes:
            self._known.put(chat_id, found)
        return found

    async def of_chats(self, chat_ids: Sequence[int]) -> dict[int, ChatLanguage]:
        """get() for each of `chat_ids` (every one is in the answer), CHATS_PER_READ chats
        a statement."""
        wanted = list(dict.fromkeys(chat_ids))
        found: dict[int, ChatLanguage] = {}
        for start in range(0, len(wanted), CHATS_PER_READ):
            batch = wanted[start : start + CHATS_PER_READ]
            param = _ids(batch) if self._db.dialect == "sqlite" else batch
            for row in await self._db.fetch_all(_MANY[self._db.dialect], (param,)):
                found[int(row[0])] = _language(row, 1)
        return found


def _ids(chat_ids: Sequence[int]) -> str:
    """The ids as a JSON array, for SQLite's json_each."""
    return "[" + ",".join(str(int(chat_id)) for chat_id in chat_ids) + "]"
