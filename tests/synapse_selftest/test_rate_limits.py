"""One user's message limit, set low while everyone else keeps the homeserver's generous
one: what the bot's own handling of M_LIMIT_EXCEEDED will be tested against."""

from __future__ import annotations

import asyncio

from tests.synapse import Homeserver, MatrixClient, MatrixError, needs_synapse

pytestmark = needs_synapse
BURST = 3


async def send_until_refused(client: MatrixClient, room: str, most: int) -> tuple[int, MatrixError]:
    """How many messages went through before the first refusal, and the refusal."""
    for sent in range(most):
        try:
            await client.send_text(room, f"message {sent}")
        except MatrixError as refusal:
            return sent, refusal
    raise AssertionError(f"{most} messages sent without a refusal")


async def test_a_user_with_a_low_limit_is_told_to_wait_and_others_are_not_slowed(
    homeserver: Homeserver,
) -> None:
    async with homeserver.user("bot") as bot, homeserver.user("alice") as alice:
        room = await alice.create_room(public=True, name="Readers")
        await homeserver.limit_messages(bot.user_id, per_second=1, burst_count=BURST)
        await bot.join(room)  # an event too: Synapse counts every event a user sends

        sent, refusal = await send_until_refused(bot, room, most=20)
        # The rest of the burst (one more if a second passed while they were sent), then a
        # refusal saying how long to wait: never more than a message's share of a second.
        assert BURST - 1 <= sent <= BURST
        assert (refusal.status, refusal.errcode) == (429, "M_LIMIT_EXCEEDED")
        assert refusal.retry_after_ms is not None
        assert 0 < refusal.retry_after_ms <= 1000

        for number in range(20):  # everyone else at the homeserver's own limit
            await alice.send_text(room, f"reader {number}")

        await asyncio.sleep(refusal.retry_after_ms / 1000)  # the wait Synapse asked for
        await bot.send_text(room, "after waiting")

        await homeserver.lift_rate_limits(bot.user_id)
        for number in range(20):
            await bot.send_text(room, f"unlimited {number}")


async def test_a_reset_user_is_back_under_the_homeservers_limit(homeserver: Homeserver) -> None:
    async with homeserver.user("bot") as bot:
        room = await bot.create_room()
        await homeserver.limit_messages(bot.user_id, per_second=1, burst_count=1)
        await send_until_refused(bot, room, most=5)
        await homeserver.reset_rate_limits(bot.user_id)
        for number in range(20):
            await bot.send_text(room, f"generous {number}")
