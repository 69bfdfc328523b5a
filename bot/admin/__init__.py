"""The admin side of the bot, below the handlers: uploads, paste joining, previews, corrections.

Knows Telegram's shapes (messages, entities, the Bot API's errors) but holds the rules,
so the admin handlers in `bot.handlers` (uploads, drafts, editing) stay thin.
"""
