"""An update nested deeper than PTB decodes is refused with 400, not 500."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import say
from tests.e2e.test_webhook import SECRET, hook, post  # noqa: F401  (hook: the fixture)
from tests.fakebot import FakeBotApi


def replies(depth: int) -> dict[str, Any]:
    """A message replying to a message replying to ... `depth` deep: valid JSON of 70 KB,
    well under the body limit, but Update.de_json recurses once a level (RecursionError)."""
    message: dict[str, Any] = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}
    top = message
    for _ in range(depth):
        message["reply_to_message"] = {"message_id": 1, "date": 0, "chat": dict(message["chat"])}
        message = message["reply_to_message"]
    return {"update_id": 77, "message": top}


async def test_a_reply_chain_too_deep_to_decode_is_not_an_update(
    local_server: FakeBotApi,
    hook: str,  # noqa: F811
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    body = json.dumps(replies(800)).encode()
    assert (await post(hook, body, headers))[0] == 400
    [reply] = await say(local_server, local_server.user(7, "Grace"), "/brief")  # still serving
    assert "There is no brief yet" in reply.text
