"""Taking secrets out of text: the bot token, and the secrets learnt while the bot runs.

Applied wherever text leaves the process: log lines and stray output (bot/logs.py), error
reports to admins (bot/telegram/errors.py). Secrets are learnt where they are set: the
webhook secret (bot/telegram/webhook/registration.py), the metrics token (bot/web/metrics.py).
Apart from the logging set-up, which the command line does, so that the layers below it
reach this without reaching above themselves.
"""

from __future__ import annotations

import functools
import re

REDACTED = "<token>"


def redact(text: str, token: str) -> str:
    """The text with the token replaced, and its secret half wherever it stands alone.

    The half after the colon is what grants access; it is replaced on its own too, so a
    token quoted in pieces or with its colon escaped (%3A in a URL) is caught as well. In
    any letter case: PTB rewrites a refusal's text ("Bad Request: ..." becomes "..."
    capitalized, the rest lower-cased), and a token quoted in it with it.
    """
    if token:
        text = _token_pattern(token).sub(REDACTED, text)
    for secret, label in _ALSO.items():
        text = text.replace(secret, label)
    return text


# Secrets besides the token, learnt while the bot runs (the webhook secret, which may be
# generated at the first start): `redact` hides them wherever it hides the token. Kept for
# the process; each process (a restart, another replica) learns its own as it starts.
_ALSO: dict[str, str] = {}


def redact_also(secret: str, label: str) -> None:
    """From now on every redacted text shows `label` in place of `secret` too."""
    if secret:
        _ALSO[secret] = label


@functools.lru_cache(maxsize=4)
def _token_pattern(token: str) -> re.Pattern[str]:
    secret = token.partition(":")[2]
    parts = (token, secret) if secret else (token,)
    return re.compile("|".join(re.escape(part) for part in parts), re.IGNORECASE)
