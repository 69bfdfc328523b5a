"""Synapse starts, says why when it cannot, and leaves nothing running: not when its block
ends, and not when the test process that started it is killed."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from tests.synapse import Homeserver, SynapseFailed, needs_synapse
from tests.synapse.finding import ROOT
from tests.synapse.server import START_WITHIN
from tests.waiting import eventually


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie no parent has reaped yet is not running)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@needs_synapse
@linux
async def test_a_stopped_homeserver_leaves_no_process_and_no_files() -> None:
    async with Homeserver() as homeserver:
        pid, directory = homeserver.pid, homeserver.directory
        assert alive(pid)
        assert (directory / "homeserver.db").exists()
    assert not alive(pid)
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # nothing left in its process group either
    assert not directory.exists()


STARTER = """
import asyncio, sys
from tests.synapse import Homeserver

async def main():
    async with Homeserver() as homeserver:
        print(homeserver.pid, homeserver.directory, flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


@needs_synapse
@linux
async def test_synapse_ends_with_the_test_process_killed_without_a_chance_to_stop_it() -> None:
    starter = await asyncio.create_subprocess_exec(
        sys.executable, "-c", STARTER, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert starter.stdout is not None
    started = await asyncio.wait_for(starter.stdout.readline(), START_WITHIN)
    pid, directory = started.decode().split()
    synapse = int(pid)
    assert alive(synapse)
    starter.send_signal(signal.SIGKILL)
    await starter.wait()
    try:
        await eventually(lambda: not alive(synapse), f"Synapse ({synapse}) to end", within=10)
    finally:
        shutil.rmtree(directory)  # which the killed process had no chance to delete


async def test_a_homeserver_that_cannot_start_says_why() -> None:
    """Here with a Python that has no Synapse: what it printed ends the error."""
    with pytest.raises(SynapseFailed, match=r"(?s)exited \(1\) while starting.*No module named"):
        async with Homeserver(python=sys.executable):
            pass
