"""What a chat is told about its daily briefs (bot/core/subscriptions/commands.py):
/subscribe, /unsubscribe, /settings and each press under it, and what is stored."""

from __future__ import annotations

from datetime import time

import pytest

from bot.core.chat import SettingsChoice
from bot.core.rendering import Renderer
from bot.core.subscriptions.commands import (
    managers_only,
    press_refused,
    press_settings,
    settings_reply,
    subscribe_reply,
    unsubscribe_reply,
)
from bot.core.subscriptions.subscribing import SETTINGS_TIMES, SETTINGS_ZONES, Request
from storage import Storage
from tests.core.conftest import NOW, actions, labels, text_of

CHAT = -100123
DEFAULTS = Request(time(6, 45), "Asia/Tokyo")  # what the operator configured
BERLIN = SETTINGS_ZONES.index("Europe/Berlin")
# Every button of a live subscription's settings: the times, the zones, then Stop.
LIVE_ACTIONS = [
    *(SettingsChoice("time", clock=clock) for clock in SETTINGS_TIMES),
    *(SettingsChoice("zone", zone_index=index) for index in range(len(SETTINGS_ZONES))),
    SettingsChoice("off"),
]


async def subscribe(storage: Storage, renderer: Renderer, *args: str) -> str:
    reply = await subscribe_reply(storage, renderer, CHAT, list(args), defaults=DEFAULTS, now=NOW)
    assert reply.keyboard is None
    return text_of(reply)


async def press(storage: Storage, renderer: Renderer, choice: SettingsChoice) -> tuple[str, str]:
    """The answer to the press, and the settings message redrawn."""
    pressed = await press_settings(storage, renderer, CHAT, choice, defaults=DEFAULTS, now=NOW)
    return pressed.notice, text_of(pressed.view)


async def test_subscribe_with_a_time_and_a_zone(storage: Storage, renderer: Renderer) -> None:
    said = await subscribe(storage, renderer, "07:30", "Europe/Berlin")
    assert "Subscribed. Every day at 07:30 (Europe/Berlin)" in said
    # 09:30 UTC on Thursday 18 June is past 07:30 in Berlin: the first is on Friday.
    assert "Next delivery: Friday 19 June, 07:30 (Europe/Berlin)" in said
    subscriber = await storage.subscribers.get(CHAT)
    assert subscriber is not None
    assert subscriber.active
    assert (subscriber.delivery_time, subscriber.timezone) == (time(7, 30), "Europe/Berlin")


async def test_subscribe_alone_takes_the_configured_defaults(
    storage: Storage, renderer: Renderer
) -> None:
    assert "Every day at 06:45 (Asia/Tokyo)" in await subscribe(storage, renderer)
    assert "Every day at 09:05 (Asia/Tokyo)" in await subscribe(storage, renderer, "9:05")
    said = await subscribe(storage, renderer, "new", "york")  # a city; the default time
    assert "Every day at 06:45 (America/New_York)" in said


async def test_subscribing_again_unchanged_keeps_the_delivery_owed(
    storage: Storage, renderer: Renderer
) -> None:
    await subscribe(storage, renderer, "07:30", "Europe/Berlin")
    before = await storage.subscribers.get(CHAT)
    assert "Subscribed" in await subscribe(storage, renderer, "07:30", "Europe/Berlin")
    assert await storage.subscribers.get(CHAT) == before


async def test_a_bad_time_is_explained_and_subscribes_nothing(
    storage: Storage, renderer: Renderer
) -> None:
    said = await subscribe(storage, renderer, "25:00", "Europe/Berlin")
    assert "25:00 is not a time of day" in said
    assert "HH:MM" in said
    assert await storage.subscribers.get(CHAT) is None


async def test_an_unknown_zone_gets_suggestions_with_the_time_given(
    storage: Storage, renderer: Renderer
) -> None:
    said = await subscribe(storage, renderer, "07:30", "Berlinn")
    assert "I don't know the time zone Berlinn" in said
    assert "Did you mean" in said
    assert "/subscribe 07:30 Europe/Berlin" in said
    assert "06:45" not in said
    assert await storage.subscribers.get(CHAT) is None


async def test_a_zone_like_none_gets_the_list_to_pick_from(
    storage: Storage, renderer: Renderer
) -> None:
    said = await subscribe(storage, renderer, "Qqqqzzzzxxxx")
    assert "I don't know the time zone Qqqqzzzzxxxx" in said
    assert "Did you mean" not in said
    assert "IANA time zone list" in said
    assert "/subscribe 06:45 berlin" in said  # the default time
    assert await storage.subscribers.get(CHAT) is None


async def test_unsubscribe_stops_then_has_nothing_to_stop(
    storage: Storage, renderer: Renderer
) -> None:
    reply = await unsubscribe_reply(storage, renderer, CHAT)
    assert "not subscribed, so there is nothing to stop" in text_of(reply)
    await subscribe(storage, renderer, "07:30")
    assert "Unsubscribed" in text_of(await unsubscribe_reply(storage, renderer, CHAT))
    subscriber = await storage.subscribers.get(CHAT)
    assert subscriber is not None
    assert not subscriber.active
    assert "nothing to stop" in text_of(await unsubscribe_reply(storage, renderer, CHAT))


async def test_settings_of_a_chat_not_subscribed_offer_one_button(
    storage: Storage, renderer: Renderer
) -> None:
    reply = await settings_reply(storage, renderer, CHAT, defaults=DEFAULTS)
    assert "This chat is not subscribed. Subscribe below at 06:45 (Asia/Tokyo)" in text_of(reply)
    assert actions(reply.keyboard) == [SettingsChoice("on")]
    assert labels(reply.keyboard) == ["Subscribe"]


async def test_settings_of_a_subscribed_chat_mark_its_time_and_zone(
    storage: Storage, renderer: Renderer
) -> None:
    await subscribe(storage, renderer, "08:00", "Europe/Berlin")
    reply = await settings_reply(storage, renderer, CHAT, defaults=DEFAULTS)
    said = text_of(reply)
    assert "Delivered every day at 08:00, time zone Europe/Berlin." in said
    assert "Next delivery: Friday 19 June, 08:00." in said
    assert actions(reply.keyboard) == LIVE_ACTIONS
    marked = [label for label in labels(reply.keyboard) if label.startswith("·")]
    assert marked == ["· 08:00 ·", "· Europe/Berlin ·"]
    assert labels(reply.keyboard)[-1] == "Unsubscribe"


async def test_settings_of_a_chat_that_blocked_the_bot_say_it_is_paused(
    storage: Storage, renderer: Renderer
) -> None:
    await subscribe(storage, renderer, "08:00")
    await storage.subscribers.set_blocked(CHAT, True, at=NOW)
    said = text_of(await settings_reply(storage, renderer, CHAT, defaults=DEFAULTS))
    assert "Paused: the bot cannot write to this chat." in said
    assert "Next delivery" not in said


async def test_subscribe_pressed_starts_from_the_defaults(
    storage: Storage, renderer: Renderer
) -> None:
    notice, view = await press(storage, renderer, SettingsChoice("on"))
    assert notice == "Subscribed"
    assert "Delivered every day at 06:45, time zone Asia/Tokyo." in view
    subscriber = await storage.subscribers.get(CHAT)
    assert subscriber is not None
    assert subscriber.active


async def test_a_time_pressed_keeps_the_zone(storage: Storage, renderer: Renderer) -> None:
    await subscribe(storage, renderer, "07:30", "Europe/Berlin")
    notice, view = await press(storage, renderer, SettingsChoice("time", clock=time(9, 0)))
    assert notice == "Saved"
    assert "Delivered every day at 09:00, time zone Europe/Berlin." in view


async def test_a_zone_pressed_keeps_the_time(storage: Storage, renderer: Renderer) -> None:
    await subscribe(storage, renderer, "07:30", "Asia/Tokyo")
    notice, view = await press(storage, renderer, SettingsChoice("zone", zone_index=BERLIN))
    assert notice == "Saved"
    assert "Delivered every day at 07:30, time zone Europe/Berlin." in view


async def test_a_time_pressed_in_a_chat_not_subscribed_subscribes_it(
    storage: Storage, renderer: Renderer
) -> None:
    _, view = await press(storage, renderer, SettingsChoice("time", clock=time(12, 0)))
    assert "Delivered every day at 12:00, time zone Asia/Tokyo." in view


async def test_unsubscribe_pressed_stops_and_offers_subscribe_again(
    storage: Storage, renderer: Renderer
) -> None:
    await subscribe(storage, renderer, "07:30", "Europe/Berlin")
    pressed = await press_settings(
        storage, renderer, CHAT, SettingsChoice("off"), defaults=DEFAULTS, now=NOW
    )
    assert pressed.notice == "Unsubscribed"
    assert "This chat is not subscribed" in text_of(pressed.view)
    assert actions(pressed.view.keyboard) == [SettingsChoice("on")]
    subscriber = await storage.subscribers.get(CHAT)
    assert subscriber is not None
    assert not subscriber.active


@pytest.mark.parametrize(
    "choice",
    [SettingsChoice("on"), SettingsChoice("time", clock=time(7, 30)), SettingsChoice("off")],
)
async def test_the_same_press_twice_draws_the_same_settings(
    storage: Storage, renderer: Renderer, choice: SettingsChoice
) -> None:
    """A double tap: the second redraw equals the first, which the chat app may skip."""
    await subscribe(storage, renderer, "07:30", "Europe/Berlin")
    first = await press_settings(storage, renderer, CHAT, choice, defaults=DEFAULTS, now=NOW)
    second = await press_settings(storage, renderer, CHAT, choice, defaults=DEFAULTS, now=NOW)
    assert second == first


def test_who_may_not_change_the_subscription_is_told_who_may(renderer: Renderer) -> None:
    assert "Only the administrators of this group" in text_of(managers_only(renderer))
    private = press_refused(renderer, private_chat=True)
    assert private == "Only the person this chat belongs to can change this"
    group = press_refused(renderer, private_chat=False)
    assert group == "Only the group's administrators can change this"
