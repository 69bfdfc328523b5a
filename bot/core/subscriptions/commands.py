"""What a chat is told when it asks about its daily briefs: `/subscribe`, `/unsubscribe`,
`/settings` and the presses under it.

Who may change a chat's subscription is the chat app's to say (Telegram's adapter asks
getChatMember at the moment of the change); these run once it has said yes, and word its no.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.chat import Reply, SettingsChoice
from bot.core.rendering import Renderer
from bot.core.subscriptions.settings import settings_view
from bot.core.subscriptions.subscribing import (
    BadTime,
    BadZone,
    Request,
    change_settings,
    local_due,
    parse_request,
    subscribe,
)
from storage import Storage, Subscriber


@dataclass(frozen=True, slots=True)
class SettingsPressed:
    """A press under `/settings`, applied: the short answer to the press, and the settings
    as they are now, to redraw the pressed message with."""

    notice: str
    view: Reply


async def subscribe_reply(
    storage: Storage,
    renderer: Renderer,
    chat_id: int,
    args: list[str],
    *,
    defaults: Request,
    now: datetime,
    app_language: str | None = None,
) -> Reply:
    """`/subscribe [HH:MM] [time zone]`: the chat subscribed (each value missing taken from
    `defaults`), or why not: a time that is not one, a zone unknown (with suggestions).

    `app_language`, the subscriber's app language, is kept for the push to be written in
    when the chat chose none (bot/core/languages.py)."""
    request = parse_request(
        args, default_time=defaults.delivery_time, default_zone=defaults.timezone
    )
    if isinstance(request, BadTime):
        return Reply([renderer.render("subscribe_bad_time.html", text=request.text)])
    if isinstance(request, BadZone):
        text = renderer.render(
            "subscribe_unknown_zone.html",
            text=request.text,
            suggestions=request.suggestions,
            clock=request.clock,
        )
        return Reply([text])
    subscriber = await subscribe(storage, chat_id, request, now=now)
    await storage.languages.seen(chat_id, app_language, at=now)
    done = renderer.render("subscribe_done.html", subscriber=subscriber, next=local_due(subscriber))
    return Reply([done])


async def unsubscribe_reply(storage: Storage, renderer: Renderer, chat_id: int) -> Reply:
    """`/unsubscribe`: stopped, or nothing to stop."""
    stopped = await storage.subscribers.unsubscribe(chat_id)
    template = "subscribe_stopped.html" if stopped else "subscribe_not_subscribed.html"
    return Reply([renderer.render(template)])


async def settings_reply(
    storage: Storage, renderer: Renderer, chat_id: int, *, defaults: Request
) -> Reply:
    """`/settings`: the chat's subscription and the buttons that change it (settings_view)."""
    return _view(renderer, await storage.subscribers.get(chat_id), defaults)


async def press_settings(
    storage: Storage,
    renderer: Renderer,
    chat_id: int,
    press: SettingsChoice,
    *,
    defaults: Request,
    now: datetime,
    app_language: str | None = None,
) -> SettingsPressed:
    """A press under `/settings`: the subscription changed (change_settings), said in short,
    and the settings redrawn; the presser's app language kept as in subscribe_reply."""
    subscriber = await change_settings(storage, chat_id, press, defaults=defaults, now=now)
    if press.step == "on":
        await storage.languages.seen(chat_id, app_language, at=now)
    notice = renderer.render("settings_changed.txt", action=press.step)
    return SettingsPressed(notice, _view(renderer, subscriber, defaults))


def managers_only(renderer: Renderer) -> Reply:
    """A command changing a group's subscription from someone not among its administrators."""
    return Reply([renderer.render("subscribe_admins_only.html")])


def press_refused(renderer: Renderer, *, private_chat: bool) -> str:
    """The short answer to a press under `/settings` from someone who may not change them:
    in a private chat anyone but its own user (a forwarded copy keeps its buttons), in a
    group anyone but its administrators."""
    return renderer.render("settings_changed.txt", action="owner" if private_chat else "admins")


def _view(renderer: Renderer, subscriber: Subscriber | None, defaults: Request) -> Reply:
    return settings_view(
        renderer,
        subscriber,
        default_time=defaults.delivery_time,
        default_zone=defaults.timezone,
    )
