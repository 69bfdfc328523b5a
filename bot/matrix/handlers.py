"""Every Matrix command, by name: the table the sync reader dispatches on."""

from __future__ import annotations

from bot.matrix import editors, readers, subscriptions
from bot.matrix.context import Handler


def handlers() -> dict[str, Handler]:
    return {
        "start": readers.help_command,
        "help": editors.editors_help,  # an admin's own in a direct chat, else the readers'
        "brief": readers.part_command("summary", "brief"),
        "facts": readers.part_command("facts", "facts"),
        "sources": readers.part_command("sources", "sources"),
        "narratives": readers.part_command("narratives", "narratives"),
        "listen": readers.listen_command,
        "archive": readers.archive_command,
        "search": readers.search_command,
        "subscribe": subscriptions.subscribe_command,
        "unsubscribe": subscriptions.unsubscribe_command,
        "settings": subscriptions.settings_command,
        "language": subscriptions.language_command,
        **editors.handlers(),
    }
