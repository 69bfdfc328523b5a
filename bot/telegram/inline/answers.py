"""Answering `@bot words`: the latest briefs, a search, or the one brief a Share button named.

The query text and the offset come from any user: both are read in time linear in their
length and anything unexpected gets an answer (a malformed offset is the first page, words
that match nothing give no results), never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineQueryResultArticle, InputTextMessageContent

from bot.core.chat import brief_number
from bot.core.reading import shared_look
from bot.core.rendering import Renderer
from bot.telegram.keyboards import Keyboards
from storage import Storage, StoredBrief
from storage.search import query_words
from storage.snippets import MARK_END, MARK_START

PAGE = 20  # results a page; Telegram takes up to 50, a phone shows fewer
# Pages past this are not offered: no one scrolls through 10,000 briefs in a chat's input
# field, and an offset we never gave (a forged one) must not cost a deep OFFSET scan.
MAX_START = 10_000
_OFFSET = re.compile(r"[0-9]{1,5}")
DESCRIPTION_CHARS = 120
# Telegram keeps an answer for the same query text this long (seconds) and gives it to
# everyone: the results are the same for all users. Short, so a correction or withdrawal
# is soon what inline mode offers.
CACHE_SECONDS = 10
_MARKS = str.maketrans("", "", MARK_START + MARK_END)


@dataclass(frozen=True, slots=True)
class Page:
    results: list[InlineQueryResultArticle]
    next_offset: str  # "" on the last page


def page_start(offset: str) -> int:
    """Where the page the offset names starts; 0 for anything we did not give out."""
    if _OFFSET.fullmatch(offset) is None:
        return 0
    start = int(offset)
    return start if start <= MAX_START and start % PAGE == 0 else 0


def shared_id(text: str) -> int | None:
    """The brief a Share button's query (`#12`) names, else None."""
    return brief_number(text) if text.startswith("#") else None


async def answer_query(
    storage: Storage, renderer: Renderer, keyboards: Keyboards, query: str, offset: str
) -> Page:
    text = query.strip()
    start = page_start(offset)
    brief_id = shared_id(text)
    if brief_id is not None:
        stored = await storage.briefs.get(brief_id)
        live = stored is not None and stored.retracted_at is None and start == 0
        return Page([_article(renderer, keyboards, stored)] if live and stored else [], "")
    descriptions: dict[int, str] = {}
    if query_words(text):
        hits = await storage.search.search(text, limit=PAGE + 1, offset=start)
        ids = [hit.id for hit in hits]
        descriptions = {hit.id: hit.snippet.translate(_MARKS) for hit in hits}
    else:
        ids = [header.id for header in await storage.briefs.newest(limit=PAGE + 1, offset=start)]
    results = []
    for found in ids[:PAGE]:
        stored = await storage.briefs.get(found)  # cached per version: no query per result
        if stored is not None and stored.retracted_at is None:  # withdrawn since the list
            results.append(_article(renderer, keyboards, stored, descriptions.get(found)))
    more = len(ids) > PAGE and start + PAGE <= MAX_START
    return Page(results, str(start + PAGE) if more else "")


def _article(
    renderer: Renderer, keyboards: Keyboards, stored: StoredBrief, description: str | None = None
) -> InlineQueryResultArticle:
    # Sent into chats the bot may not be in, read by people who never opened the bot: the
    # part buttons are deep links (OpenPart), which open the part in the reader's own
    # private chat with the bot. An edit in place would change it for the whole group.
    look = shared_look(renderer, stored)
    return InlineQueryResultArticle(
        id=result_id(stored),
        title=stored.brief.title,
        input_message_content=InputTextMessageContent(look.texts[0]),
        reply_markup=keyboards.markup(look.keyboard),
        description=_short(description or stored.brief.summary),
    )


def result_id(stored: StoredBrief) -> str:
    """`12.3`: the brief and the version sent, so a chosen result names both."""
    return f"{stored.id}.{stored.version}"


def parse_result_id(text: str) -> tuple[int, int] | None:
    """The (brief id, version) of a result_id we gave; None for anything else."""
    brief, _, version = text.partition(".")
    brief_id, number = brief_number(brief), brief_number(version)
    return None if brief_id is None or number is None else (brief_id, number)


def _short(text: str) -> str:
    flat = " ".join(text[: DESCRIPTION_CHARS * 2].split())
    return flat if len(flat) <= DESCRIPTION_CHARS else f"{flat[: DESCRIPTION_CHARS - 1]}…"
