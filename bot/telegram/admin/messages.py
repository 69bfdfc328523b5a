"""What an admin's message carries for an upload: its links, and whether its words are the
admin's own. Telegram's entities and forward origins, read here for the core."""

from __future__ import annotations

from telegram import Message, MessageEntity, MessageOriginUser

from brief.isolated import Link


def message_links(message: Message) -> tuple[Link, ...]:
    """(anchor text, url) for every link in the message, in order.

    A `text_link` carries its url; a bare `url` entity is its own anchor, so it only
    matches a source whose name is the address itself, and is otherwise left to the
    text, where the block source form has a place for it.
    """
    found = message.parse_entities([MessageEntity.TEXT_LINK, MessageEntity.URL])
    ordered = sorted(found.items(), key=lambda item: item[0].offset)
    return tuple(
        (text, entity.url if entity.type == MessageEntity.TEXT_LINK and entity.url else text)
        for entity, text in ordered
    )


def is_own_message(message: Message) -> bool:
    """Whether a message is the sender's own words: typed, or forwarded from themselves.

    A forward of someone else's message (a channel post, another user, a hidden sender)
    is never taken as an upload: the sender did not write it, and for a brief the
    author matters.
    """
    origin = message.forward_origin
    if origin is None:
        return True
    sender = message.from_user
    return (
        isinstance(origin, MessageOriginUser)
        and sender is not None
        and origin.sender_user.id == sender.id
    )
