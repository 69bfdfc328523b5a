"""The core's messages as Matrix messages: `org.matrix.custom.html` with a plain-text body,
the commands written the Matrix way, and the buttons as commands under the text.

The core renders the small HTML subset every app the bot speaks displays (b, i, a, code,
blockquote, newlines as line breaks) and names commands as Telegram writes them (`/facts`):
the catalogues have one wording for both apps. Here `/facts` becomes `!facts` (Matrix
clients keep `/` for their own commands) and a newline `<br>`. Matrix has no buttons
under a message: each button becomes the command that does the same ("Facts: !facts 12"),
and one that needs Telegram (sharing through the bot) is left out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from bot.core.chat import (
    ArchivePage,
    Button,
    DraftChoice,
    Keyboard,
    LanguageChoice,
    Listen,
    OpenPart,
    SettingsChoice,
    ShowPart,
)
from bot.core.subscriptions.subscribing import SETTINGS_ZONES

# Every command the bot answers, in either app: a `/name` in the core's text that is one
# of these becomes `!name`. Not after a letter, digit or URL punctuation, so a link's path
# (example.org/facts) is left as it is.
COMMANDS = [
    "start",
    "help",
    "brief",
    "facts",
    "sources",
    "narratives",
    "listen",
    "archive",
    "search",
    "subscribe",
    "unsubscribe",
    "settings",
    "language",
    "id",
    "publish",
    "discard",
    "correct",
    "cancel",
    "retract",
    "history",
    "push",
    "stats",
    "template",
    "unrecord",
]
COMMAND_PREFIX = "!"
_COMMAND = re.compile(r"(?<![\w/.:@#=?&%-])/(" + "|".join(COMMANDS) + r")\b")
HTML_FORMAT = "org.matrix.custom.html"


def matrix_commands(text: str) -> str:
    """`/facts 12` written `!facts 12`."""
    return _COMMAND.sub(COMMAND_PREFIX + r"\1", text)


def message_content(
    text: str, keyboard: Keyboard | None = None, *, notice: bool = False
) -> dict[str, Any]:
    """An m.room.message content: the HTML (newlines as <br>), and the same as plain text;
    the keyboard's commands under it."""
    body_html = matrix_commands(text)
    footer = commands_footer(keyboard)
    if footer:
        body_html = f"{body_html}\n\n{footer}"
    return {
        "msgtype": "m.notice" if notice else "m.text",
        "body": plain_text(body_html),
        "format": HTML_FORMAT,
        "formatted_body": body_html.replace("\n", "<br>"),
    }


def replacement(event_id: str, content: dict[str, Any]) -> dict[str, Any]:
    """An edit of the message `event_id` (m.replace): clients show `content` in its place;
    those that know no edits show the body with a `* ` before it, as the spec suggests."""
    fallback = {
        **content,
        "body": f"* {content['body']}",
        "formatted_body": f"* {content.get('formatted_body', '')}",
    }
    return {
        **fallback,
        "m.new_content": content,
        "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
    }


def commands_footer(keyboard: Keyboard | None) -> str:
    """Each row's buttons as `Label: <code>!command</code>`, separated by ·, a row a line."""
    if not keyboard:
        return ""
    rows = []
    for row in keyboard:
        items = [
            f"{html.escape(button.label, quote=False)}: <code>{html.escape(command)}</code>"
            for button, command in _commands(row)
        ]
        if items:
            rows.append(" · ".join(items))
    return "\n".join(rows)


def _commands(row: tuple[Button, ...]) -> Iterator[tuple[Button, str]]:
    for button in row:
        command = button_command(button)
        if command is not None:
            yield button, command


def button_command(button: Button) -> str | None:
    """The command doing what the button does; None for one Matrix has no way to do."""
    action = button.action
    if isinstance(action, ShowPart | OpenPart):
        name = "brief" if action.part == "summary" else action.part
        return f"{COMMAND_PREFIX}{name} {action.brief_id}"
    if isinstance(action, Listen):
        return f"{COMMAND_PREFIX}listen {action.brief_id}"
    if isinstance(action, ArchivePage):
        return f"{COMMAND_PREFIX}archive {action.page + 1}"
    if isinstance(action, DraftChoice):
        return f"{COMMAND_PREFIX}{action.step} {action.draft_id}"
    if isinstance(action, LanguageChoice):
        return f"{COMMAND_PREFIX}language {action.language or 'auto'}"
    if isinstance(action, SettingsChoice):
        return _settings_command(action)
    return None  # ShareBrief, ShareLink: Telegram's own ways to pass a brief on


def _settings_command(choice: SettingsChoice) -> str | None:
    if choice.step == "on":
        return f"{COMMAND_PREFIX}subscribe"
    if choice.step == "off":
        return f"{COMMAND_PREFIX}unsubscribe"
    if choice.step == "time" and choice.clock is not None:
        return f"{COMMAND_PREFIX}subscribe {choice.clock:%H:%M}"
    index = choice.zone_index
    if choice.step == "zone" and index is not None and 0 <= index < len(SETTINGS_ZONES):
        return f"{COMMAND_PREFIX}subscribe {SETTINGS_ZONES[index]}"
    return None


class _Plain(HTMLParser):
    """The text of the HTML subset, a link's address after its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href.append(dict(attrs).get("href"))
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            href = self._href.pop()
            if href and not href.startswith("mailto:"):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: str) -> str:
    """The body for clients that show only text: tags dropped, entities decoded."""
    parser = _Plain()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)
