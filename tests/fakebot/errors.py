"""The refusals the fake answers with, shaped like the Bot API's error objects."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A refusal: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class MalformedAnswer(Exception):
    """Not a refusal but an answer that is not JSON, as a misconfigured proxy in front of the
    Bot API gives (an HTML error page)."""

    BODY = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"

    def __init__(self, status: int) -> None:
        super().__init__(f"{status} with an HTML body")
        self.status = status


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )
