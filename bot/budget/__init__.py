"""The one sending budget: Telegram's limits (30 messages a second in all, one a second in a
chat, 20 a minute in a group) as one Pacer that replies and the push both spend
(pacing.py), kept in the database when replicas share it (shared.py), and offered to
python-telegram-bot as its rate limiter (replies.py)."""
