"""The admin side of the bot: uploads, paste joining, previews, corrections, and their
handlers (bot/admin/handlers/).

Knows Telegram's shapes (messages, entities, the Bot API's errors) but holds the rules,
so the admin handlers stay thin.
"""
