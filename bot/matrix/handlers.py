"""Every Matrix command, by name: the table the sync reader dispatches on."""

from __future__ import annotations

from bot.matrix import editors, readers, subscriptions
from bot.matrix.context import MatrixHandler


def handlers() -> dict[str, MatrixHandler]:
    return {
        "start": readers.help_handler,
        "help": editors.editors_help,  # an admin's own in a direct chat, else the readers'
        "brief": readers.part_handler("summary", "brief"),
        "facts": readers.part_handler("facts", "facts"),
        "sources": readers.part_handler("sources", "sources"),
        "narratives": readers.part_handler("narratives", "narratives"),
        "listen": readers.listen_handler,
        "archive": readers.archive_handler,
        "search": readers.search_handler,
        "subscribe": subscriptions.subscribe_handler,
        "unsubscribe": subscriptions.unsubscribe_handler,
        "settings": subscriptions.settings_handler,
        "language": subscriptions.language_handler,
        **editors.handlers(),
    }
