"""The Matrix adapter: briefs served in Matrix rooms from the same core and database as
Telegram's (bot/telegram/). Matrix's names (rooms, users, events) become the core's
integer ids through storage.matrix; everything else is the core's."""
