"""The blank brief (/template, bot/core/publishing/template.py): filled in, it is a brief the
parser and the upload path accept; sent back with placeholders left, it is refused, each
line named with what is left to fill in, and nothing is stored."""

from __future__ import annotations

import re

from bot.core.chat import DraftChoice, Reply
from bot.core.publishing.template import PLACEHOLDER, blank_brief, template_reply, unfilled
from bot.core.publishing.uploads import receive_document, receive_upload
from bot.core.rendering import Renderer
from brief import parse_text
from brief.isolated import Upload
from storage import Storage
from tests.core.admin.conftest import ADMIN, CHAT, clock, parse
from tests.core.conftest import actions, plain, text_of

# What an admin might write in place of each placeholder of the blank.
FILLED = {
    "<Title: the story in one line>": "Harbor Bridge Vote Set for May",
    "<Summary: what happened, in two or three sentences.>": (
        "The council votes on the harbor bridge in May. Its cost has doubled."
    ),
    "<A fact that source 1 reports, ending with a period.>": "The vote is on 3 May.",
    "<A fact that source 2 reports, ending with a period.>": "The cost rose to 45 million.",
    "<Name of source 1>": "Harbor Times",
    "<Name of source 2>": "City Desk",
    "<Viewpoint, such as Critical>": "Critical",
    "<Viewpoint, such as Supportive>": "Supportive",
    "<Outlet>": "Harbor Times",
    "<How that outlet tells the story.>": "The bridge costs more than it brings.",
}


def filled(blank: str, leave: frozenset[str] = frozenset()) -> str:
    """The blank with each placeholder replaced, as an admin does, except those in `leave`."""
    return PLACEHOLDER.sub(lambda m: m[0] if m[0] in leave else FILLED[m[0]], blank)


async def upload(storage: Storage, renderer: Renderer, text: str) -> Reply:
    return await receive_upload(
        storage, renderer, parse, chat_id=CHAT, admin_id=ADMIN, upload=Upload(text), clock=clock
    )


def test_template_sends_how_to_then_the_blank_alone(renderer: Renderer) -> None:
    how_to, blank = template_reply(renderer).texts
    assert "replace each part in <angle brackets>" in plain(how_to)
    assert blank.startswith("<pre>")
    assert blank.endswith("</pre>")
    assert plain(blank) == blank_brief(renderer)  # what the admin copies


def test_the_blank_is_the_formats_skeleton(renderer: Renderer) -> None:
    lines = blank_brief(renderer).splitlines()
    assert [lines[2], lines[6]] == ["Facts", "Narratives"]
    assert lines[5].startswith("Sources: 1<")
    assert all(", as provided by <Outlet>. " in line for line in lines[7:])


def test_the_blank_filled_in_by_substitution_is_a_valid_brief(renderer: Renderer) -> None:
    result = parse_text(filled(blank_brief(renderer)))
    brief = result.brief
    assert brief.title == "Harbor Bridge Vote Set for May"
    assert [(f.text, f.sources) for f in brief.facts] == [
        ("The vote is on 3 May.", (1,)),
        ("The cost rose to 45 million.", (2,)),
    ]
    assert [s.name for s in brief.sources] == ["Harbor Times", "City Desk"]
    assert [(n.label, n.outlet) for n in brief.narratives] == [
        ("Critical", "Harbor Times"),
        ("Supportive", "Harbor Times"),
    ]
    assert result.warnings == ()


async def test_the_blank_filled_in_is_previewed_to_publish(
    storage: Storage, renderer: Renderer
) -> None:
    reply = await upload(storage, renderer, filled(blank_brief(renderer)))
    assert "Harbor Bridge Vote Set for May" in reply.texts[0]
    assert actions(reply.keyboard) == [DraftChoice(1, "publish"), DraftChoice(1, "discard")]


async def test_the_blank_sent_back_unchanged_is_refused_line_by_line(
    storage: Storage, renderer: Renderer
) -> None:
    blank = blank_brief(renderer)
    text = text_of(await upload(storage, renderer, blank))
    assert "Not stored: 7 problems to fix." in text  # every line but the two headings
    assert [p.line for p in unfilled(renderer, Upload(blank))] == [1, 2, 4, 5, 6, 8, 9]
    assert "• line 1: still to fill in: <Title: the story in one line> (replace it," in text
    assert "• line 3:" not in text  # the Facts heading is the format's own
    narrative = re.escape("<Viewpoint, such as Critical>, <Outlet>, <How that outlet tells the")
    assert re.search(rf"• line 8: still to fill in: {narrative} story\.> \(replace each,", text)
    assert await storage.drafts.get(1) is None


async def test_a_placeholder_left_in_a_filled_brief_is_named_alone(
    storage: Storage, renderer: Renderer
) -> None:
    text = filled(blank_brief(renderer), leave=frozenset({"<Name of source 2>"}))
    assert [str(p) for p in unfilled(renderer, Upload(text))] == [
        "line 6: still to fill in: <Name of source 2> (replace it, brackets included, with "
        "your text; /template shows the blank)"
    ]
    reply = await upload(storage, renderer, text)
    assert "Not stored: 1 problem to fix." in text_of(reply)
    assert await storage.drafts.get(1) is None


async def test_a_blank_sent_as_a_file_is_refused_as_well(
    storage: Storage, renderer: Renderer
) -> None:
    reply = await receive_document(
        storage,
        renderer,
        parse,
        chat_id=CHAT,
        admin_id=ADMIN,
        file_name="brief.txt",
        content=blank_brief(renderer).encode(),
        clock=clock,
    )
    assert "line 1: still to fill in: <Title" in text_of(reply)


def test_angle_brackets_of_a_briefs_own_are_not_placeholders(renderer: Renderer) -> None:
    own = filled(blank_brief(renderer)).replace("in May", "in May <updated>")
    assert unfilled(renderer, Upload(own)) == ()
    assert unfilled(renderer, Upload(own.encode())) == ()
