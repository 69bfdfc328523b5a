"""Jinja2 templates: every text a reader or admin reads, as Telegram HTML."""
