"""Finding briefs other than by number: the archive, a page at a time, and search."""

from __future__ import annotations

import math

from bot.core.buttons import digest_keyboard
from bot.core.chat import ArchivePage, Button, Reply
from bot.core.rendering import Renderer
from storage import BriefHeader, Storage

ARCHIVE_PAGE = 10
SEARCH_RESULTS = 5


async def archive_page(storage: Storage, renderer: Renderer, page: int) -> Reply:
    """The page asked for (0 is the newest); past the end (briefs withdrawn since), the
    last one."""
    pages = max(1, math.ceil(await storage.briefs.count() / ARCHIVE_PAGE))
    page = min(page, pages - 1)
    headers = await storage.briefs.newest(limit=ARCHIVE_PAGE, offset=page * ARCHIVE_PAGE)
    text = renderer.render("archive.html", headers=headers, page=page, pages=pages)
    navigation = [
        Button(renderer.render("archive_button.txt", direction=direction), ArchivePage(target))
        for direction, target in (("newer", page - 1), ("older", page + 1))
        if 0 <= target < pages
    ]
    return Reply([text], digest_keyboard(headers, navigation) if headers else None)


async def search_results(storage: Storage, renderer: Renderer, words: str) -> Reply:
    """The best matches for what a reader typed, each with a button that opens it; how to
    search when nothing was typed."""
    if not words.strip():
        return Reply([renderer.render("search_usage.html")])
    hits = await storage.search.search(words, limit=SEARCH_RESULTS)
    text = renderer.render("search.html", hits=hits, words=words[:64])
    headers = [BriefHeader(id=h.id, title=h.title, published_at=h.published_at) for h in hits]
    return Reply([text], digest_keyboard(headers) if headers else None)
