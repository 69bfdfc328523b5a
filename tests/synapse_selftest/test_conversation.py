"""Two people in Element on the real homeserver: what the Matrix tests build on reads back
exactly what was sent, edits included, and waits for what has not come yet."""

from __future__ import annotations

import asyncio

import pytest

from tests.synapse import Homeserver, MatrixClient, needs_synapse

pytestmark = needs_synapse
HTML = "org.matrix.custom.html"


async def joined(homeserver: Homeserver, alice: MatrixClient, bob: MatrixClient) -> str:
    """A room Alice made and invited Bob to, once he has joined it."""
    room = await alice.create_room(name="Newsroom")
    await alice.invite(room, bob.user_id)
    assert await bob.wait_for_invite() == room
    await bob.join(room)
    await alice.wait_for_membership(room, bob.user_id, "join")
    return room


async def test_two_people_exchange_a_message_and_an_edit_shown_in_its_place(
    homeserver: Homeserver,
) -> None:
    async with homeserver.user("alice") as alice, homeserver.user("bob") as bob:
        room = await joined(homeserver, alice, bob)
        hello = await alice.send_text(room, "Hello *Bob*", html="Hello <em>Bob</em>")
        heard = await bob.wait_for_message(room, alice.user_id)
        assert (heard.event_id, heard.body, heard.format, heard.formatted_body) == (
            hello,
            "Hello *Bob*",
            HTML,
            "Hello <em>Bob</em>",
        )

        answer = await bob.send_text(room, "Hi")
        edit = await bob.edit(room, answer, "Hi Alice", html="Hi <b>Alice</b>")
        seen = await alice.wait_for_message(room, bob.user_id, lambda m: m.replaces == answer)
        assert seen.event_id == edit
        assert seen.body == "* Hi Alice"  # what a client that knows no edits shows
        assert seen.new_content is not None
        assert seen.new_content["formatted_body"] == "Hi <b>Alice</b>"
        shown = await alice.shown(room, answer)
        assert (shown.event_id, shown.body, shown.formatted_body) == (
            answer,
            "Hi Alice",
            "Hi <b>Alice</b>",
        )
        assert [(m.sender, m.body) for m in await alice.messages(room)] == [
            (alice.user_id, "Hello *Bob*"),
            (bob.user_id, "Hi"),
            (bob.user_id, "* Hi Alice"),
        ]


async def test_an_edit_by_someone_else_is_not_shown(homeserver: Homeserver) -> None:
    async with homeserver.user("alice") as alice, homeserver.user("bob") as bob:
        room = await joined(homeserver, alice, bob)
        original = await alice.send_text(room, "The brief")
        await bob.edit(room, original, "Bob's words")
        await alice.wait_for_message(room, bob.user_id)
        assert (await alice.shown(room, original)).body == "The brief"


async def test_a_wait_takes_only_a_message_after_the_one_named_and_ends_when_it_comes(
    homeserver: Homeserver,
) -> None:
    async with homeserver.user("alice") as alice, homeserver.user("bob") as bob:
        room = await joined(homeserver, alice, bob)
        command = await bob.send_text(room, "!facts")
        waiting = asyncio.ensure_future(
            bob.wait_for_message(room, alice.user_id, lambda m: m.body == "Facts", after=command)
        )
        await alice.send_text(room, "Not yet")
        await alice.send_text(room, "Facts")
        assert (await waiting).body == "Facts"
        again = await bob.send_text(room, "!facts")
        with pytest.raises(AssertionError, match=r"timed out after 0\.5s waiting for a message"):
            # The earlier answer came before this command.
            await bob.wait_for_message(
                room, alice.user_id, lambda m: m.body == "Facts", after=again, timeout=0.5
            )


async def test_a_direct_chat_is_marked_as_one_and_can_be_encrypted(homeserver: Homeserver) -> None:
    async with homeserver.user("alice") as alice, homeserver.user("bot") as bot:
        room = await alice.create_room(invite=[bot.user_id], direct=True, encrypted=True)
        assert await bot.wait_for_invite() == room
        invitation = await alice.state(room, "m.room.member", bot.user_id)
        assert (invitation["membership"], invitation["is_direct"]) == ("invite", True)
        assert (await alice.state(room, "m.room.encryption"))["algorithm"] == "m.megolm.v1.aes-sha2"
        direct = await alice.request(
            "GET", f"/_matrix/client/v3/user/{alice.user_id}/account_data/m.direct"
        )
        assert direct == {bot.user_id: [room]}


async def test_a_text_file_arrives_as_sent(homeserver: Homeserver) -> None:
    async with homeserver.user("editor") as editor, homeserver.user("bot") as bot:
        room = await joined(homeserver, editor, bot)
        brief = "Title: A brief\n\nSummary: ünïcode survives\n".encode()
        await editor.send_file(room, "brief.txt", brief)
        sent = await bot.wait_for_message(room, editor.user_id)
        assert (sent.msgtype, sent.body, sent.content["info"]["mimetype"]) == (
            "m.file",
            "brief.txt",
            "text/plain",
        )
        assert await bot.download(sent.content["url"]) == brief


async def test_power_levels_kicks_and_bans_change_what_the_room_says(
    homeserver: Homeserver,
) -> None:
    async with homeserver.user("alice") as alice, homeserver.user("bob") as bob:
        room = await joined(homeserver, alice, bob)
        await alice.set_power_level(room, bob.user_id, 50)
        assert (await bob.state(room, "m.room.power_levels"))["users"][bob.user_id] == 50
        await alice.kick(room, bob.user_id, "testing")
        await alice.wait_for_membership(room, bob.user_id, "leave")
        await alice.ban(room, bob.user_id)
        assert await alice.membership(room, bob.user_id) == "ban"
        async with homeserver.user("carol") as carol:
            assert await alice.membership(room, carol.user_id) is None
