"""Where the Synapse the tests start is installed, and why its tests skip when it is not."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL = (
    "python3 -m venv .venv-synapse && .venv-synapse/bin/pip install --require-hashes "
    "-r requirements-synapse.lock (as .ci/run does), or set SYNAPSE_PYTHON to the python of "
    "a virtualenv with matrix-synapse"
)


def synapse_python(environ: Mapping[str, str] = os.environ) -> str | None:
    """SYNAPSE_PYTHON, else the `.venv-synapse` beside the project, else None.

    A SYNAPSE_PYTHON that is set is used as it is: if it cannot start Synapse the tests fail,
    saying why, rather than skip, so that CI (which sets it) never passes on tests it skipped.
    """
    named = environ.get("SYNAPSE_PYTHON", "")
    if named:
        return named
    beside = ROOT / ".venv-synapse" / "bin" / "python"
    return str(beside) if beside.exists() else None


SYNAPSE_PYTHON = synapse_python()
WHY_NO_SYNAPSE = (
    None
    if SYNAPSE_PYTHON is not None
    else f"no Synapse: SYNAPSE_PYTHON is not set and there is no .venv-synapse: {INSTALL}"
)
# As tests/postgres.py's needs_postgres: `pytestmark = needs_synapse` in a module of Matrix tests.
needs_synapse = pytest.mark.skipif(WHY_NO_SYNAPSE is not None, reason=WHY_NO_SYNAPSE or "")
