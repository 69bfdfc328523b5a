"""A real Synapse homeserver for the Matrix tests, started as the suite's own child process,
and a person in Element to drive it (docs/design/development.md, "The Matrix homeserver")."""

from tests.synapse.answers import MatrixError, Message, shown
from tests.synapse.client import MatrixClient
from tests.synapse.config import GENEROUS, RateLimit
from tests.synapse.finding import SYNAPSE_PYTHON, WHY_NO_SYNAPSE, needs_synapse
from tests.synapse.server import SERVER_NAME, Account, Homeserver, SynapseFailed

__all__ = [
    "GENEROUS",
    "SERVER_NAME",
    "SYNAPSE_PYTHON",
    "WHY_NO_SYNAPSE",
    "Account",
    "Homeserver",
    "MatrixClient",
    "MatrixError",
    "Message",
    "RateLimit",
    "SynapseFailed",
    "needs_synapse",
    "shown",
]
