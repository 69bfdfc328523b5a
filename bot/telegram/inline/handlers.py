"""The inline mode's handlers: answering inline queries, recording chosen results."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import InlineQuery, Update
from telegram.ext import BaseHandler, ChosenInlineResultHandler, InlineQueryHandler

from bot.core.publishing.inline_copies import record_chosen
from bot.telegram.bot_api import delivered
from bot.telegram.context import BotContext
from bot.telegram.inline.answers import CACHE_SECONDS, Page, answer_query, parse_result_id
from storage import InlineCopy

log = logging.getLogger(__name__)


async def inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    assert query is not None
    page = await answer_query(
        context.storage, context.renderer, context.keyboards, query.query, query.offset
    )
    # Answered too late (the user typed on, or the bot stalled): logged, nothing to report.
    await delivered(_answer(query, page), "inline answer", None)


async def _answer(query: InlineQuery, page: Page) -> None:
    await query.answer(
        page.results,
        cache_time=CACHE_SECONDS,
        # Per user: the results are written in each user's language, and Telegram would
        # otherwise serve one user's cached answer to everyone typing the same query.
        is_personal=True,
        # None, not "", on the last page: with Defaults set, PTB 22 takes "" for an empty
        # list of poll options and sends [] (which Telegram refuses). Left out, it means the
        # same to Telegram: no more results.
        next_offset=page.next_offset or None,
        auto_pagination=False,
    )


async def chosen_result(update: Update, context: BotContext) -> None:
    """A user sent one of our results: remember where, to edit it when the brief changes."""
    chosen = update.chosen_inline_result
    assert chosen is not None
    named = parse_result_id(chosen.result_id)
    if named is None or chosen.inline_message_id is None:
        log.info("chosen inline result %r not recorded", chosen.result_id[:64])
        return
    brief_id, version = named
    copy = InlineCopy(chosen.inline_message_id, brief_id, chosen.from_user.id, datetime.now(UTC))
    messenger = context.services.messenger
    await record_chosen(context.storage, messenger, context.renderer, copy, version)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [InlineQueryHandler(inline_query), ChosenInlineResultHandler(chosen_result)]
