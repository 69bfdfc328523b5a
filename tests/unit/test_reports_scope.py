"""The Reporter's senders are no part of the update that first failed."""

from __future__ import annotations

from typing import cast

from bot.core.chat import Messenger
from bot.core.rendering import Renderer
from bot.core.reports import Reporter
from bot.core.scope import current, update_scope
from tests.waiting import eventually


class ScopeRecordingMessenger:
    """Notes the update scope each send is made in, as the log lines and the rate limiter's
    sending_failed see it."""

    def __init__(self) -> None:
        self.scopes: list[tuple[int, int | None]] = []

    async def notify(self, chat_id: int, text: str) -> None:
        scope = current()
        self.scopes.append((chat_id, None if scope is None else scope.update_id))


async def test_a_notice_is_sent_outside_the_scope_of_the_update_that_started_the_senders() -> None:
    bot = ScopeRecordingMessenger()
    reports = Reporter(cast("Messenger", bot), Renderer(), (1,))
    with update_scope(1001, 42):  # the first failure starts the senders, in its own scope
        reports.apologise(42)
    await eventually(lambda: len(bot.scopes) == 1, "the first apology")
    with update_scope(1002, 43):  # a later update of another chat fails
        reports.apologise(43)
    await eventually(lambda: len(bot.scopes) == 2, "the second apology")
    await reports.close()
    # Were it sent as part of update 1001 (chat 42, long over), JSON log lines would name
    # the wrong update and chat, and every chat a notice fails to reach would be added to
    # that dead scope's set, for ever.
    assert bot.scopes[1] != (43, 1001), bot.scopes
