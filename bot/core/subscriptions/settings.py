"""What `/settings` shows a chat: its subscription, and buttons that change it."""

from __future__ import annotations

from datetime import time

from bot.core.chat import Button, Reply, SettingsChoice
from bot.core.rendering import Renderer
from bot.core.subscriptions.subscribing import SETTINGS_TIMES, SETTINGS_ZONES, local_due
from storage import Subscriber


def settings_view(
    renderer: Renderer, subscriber: Subscriber | None, *, default_time: time, default_zone: str
) -> Reply:
    """The chat's subscription; one button to start it when there is none (or it is
    stopped), else a button for each delivery time and time zone offered, then Stop."""
    text = renderer.render(
        "settings_show.html",
        subscriber=subscriber,
        next=local_due(subscriber) if subscriber is not None else None,
        default_time=default_time,
        default_zone=default_zone,
    )
    if subscriber is None or not subscriber.active:
        label = renderer.render("settings_button.txt", action="on")
        return Reply([text], ((Button(label, SettingsChoice("on")),),))

    def button(choice: SettingsChoice, value: str, current: bool) -> Button:
        label = renderer.render(
            "settings_button.txt", action=choice.step, value=value, current=current
        )
        return Button(label, choice)

    times = [
        button(SettingsChoice("time", clock=t), f"{t:%H:%M}", t == subscriber.delivery_time)
        for t in SETTINGS_TIMES
    ]
    zones = [
        button(SettingsChoice("zone", zone_index=index), name, name == subscriber.timezone)
        for index, name in enumerate(SETTINGS_ZONES)
    ]
    off = button(SettingsChoice("off"), "", False)
    rows = [times[:3], times[3:], zones[:2], zones[2:4], zones[4:6], zones[6:], [off]]
    return Reply([text], tuple(tuple(row) for row in rows))
