"""The blank brief an admin fills in (/template), and an upload that still holds its
placeholders: refused before it is parsed, each line named with what is left to fill in.

The blank is the format's skeleton, each part to write a placeholder in angle brackets
(their words in templates/brief_template.txt), printed by the brief format's own printer in
the admin's language when briefs can be written in it (`Hechos`, `Fuentes: ... y ...`),
else in English. Only the blank's own placeholders count: a brief that quotes
`<something>` of its own is read as any other.
"""

from __future__ import annotations

import re

from bot.core.chat import Reply
from bot.core.rendering import Renderer
from brief import TEXT_LANGUAGES, Brief, Fact, Narrative, Problem, Source, to_text
from brief.isolated import Upload

PLACEHOLDER = re.compile(r"<[^<>\n]+>")
BLANK_TEMPLATE = "brief_template.txt"


def blank_brief(renderer: Renderer) -> str:
    """The skeleton of a brief, placeholders where the admin's words go."""
    return renderer.memo(("blank brief",), lambda: to_text(_blank(renderer)))


def _blank(renderer: Renderer) -> Brief:
    title, summary, fact_1, fact_2, source_1, source_2, critical, supportive, outlet, telling = (
        f"<{line}>" for line in renderer.lines(BLANK_TEMPLATE)
    )
    language = renderer.language() if renderer.language() in TEXT_LANGUAGES else "en"
    return Brief(
        title,
        summary,
        (Fact(fact_1, (1,)), Fact(fact_2, (2,))),
        (Source(1, source_1, None), Source(2, source_2, None)),
        (Narrative(critical, outlet, telling), Narrative(supportive, outlet, telling)),
        language,
    )


def placeholders(renderer: Renderer) -> frozenset[str]:
    """The blank's placeholders, such as `<Title: the story in one line>`."""
    return renderer.memo(
        ("blank placeholders",), lambda: frozenset(PLACEHOLDER.findall(blank_brief(renderer)))
    )


def template_reply(renderer: Renderer) -> Reply:
    """/template: how to use the blank, then the blank alone, to copy as one message."""
    return Reply(
        [
            renderer.render("admin_template.html"),
            renderer.render("admin_template_blank.html", blank=blank_brief(renderer)),
        ]
    )


def unfilled(renderer: Renderer, upload: Upload) -> tuple[Problem, ...]:
    """Every line of the upload that still holds a placeholder of the blank, with what is
    left to fill in there; none for an upload with none."""
    text = upload.data if isinstance(upload.data, str) else upload.data.decode("utf-8", "replace")
    wanted = placeholders(renderer)
    # Most uploads hold none: a plain search first, lines only when one is there.
    if not any(placeholder in text for placeholder in wanted):
        return ()
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        left = [found for found in PLACEHOLDER.findall(line) if found in wanted]
        if left:
            message = renderer.render("admin_unfilled.txt", placeholders=left)
            problems.append(Problem(message, number))
    return tuple(problems)
