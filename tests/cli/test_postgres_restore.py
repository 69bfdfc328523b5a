"""The PostgreSQL backup and restore recipe of docs/operators/backups.md, run as written:
pg_dump's custom format without owners, restored with pg_restore into a new, empty database
that DATABASE_URL then names; the bot's storage serves it (reads, search, new briefs).

Each run makes databases of its own, briefbot_restore_<random>, dropped after: nothing else
on the server is touched."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from storage.opening import DatabaseLocation, open_storage
from storage.postgres import POSTGRES_LATEST_VERSION
from tests.cli.test_commands import PUTIN, WIND
from tests.e2e.botprocess import BotProcess
from tests.postgres import TEST_DATABASE_URL, needs_postgres

pytestmark = needs_postgres

PUTIN_TITLE = "Putin Makes First Visit to North Korea in 24 Years"
WIND_TITLE = "Regulators Clear Largest Offshore Wind Farm on the Coast"
# Debian and Ubuntu put the client tools of each version here; `pg_dump` may also be on PATH.
CLIENT_BINARIES = Path("/usr/lib/postgresql/15/bin")


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(CLIENT_BINARIES))
    if found is None:
        pytest.fail(f"{name} is needed to test the PostgreSQL restore recipe (postgresql-client)")
    return found


@contextlib.asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    """A new, empty database on TEST_DATABASE_URL's server; its URL. Dropped after."""
    assert TEST_DATABASE_URL is not None
    name = f"briefbot_restore_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        await admin.execute(f"CREATE DATABASE {name}")  # `name` is ours: no input in it
        parts = urlsplit(TEST_DATABASE_URL)
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


async def run(*command: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    assert process.returncode == 0, f"{command[0]} failed: {text}"
    return text


async def briefbot(url: str, cwd: Path, *args: str) -> str:
    process = await BotProcess.start({"DATABASE_URL": url}, cwd, *args)
    assert await process.finish(None) == 0, process.output
    return process.output


async def test_the_documented_pg_dump_and_pg_restore_recipe_brings_everything_back(
    tmp_path: Path,
) -> None:
    dump = tmp_path / "briefbot.dump"
    async with scratch_database() as serving, scratch_database() as restored:
        await briefbot(serving, tmp_path, "migrate")
        await briefbot(serving, tmp_path, "import", str(PUTIN), str(WIND))

        # The recipe, word for word.
        await run(tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", serving)
        await run(
            tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)
        )

        async with await open_storage(DatabaseLocation(url=restored)) as storage:
            assert storage.schema_version == POSTGRES_LATEST_VERSION
            newest = await storage.briefs.newest(limit=10)
            assert [b.title for b in newest] == [WIND_TITLE, PUTIN_TITLE]
            [hit] = await storage.search.search("north korea")
            assert hit.title == PUTIN_TITLE
        # Writes go on where the served database left off (its sequences came along).
        out = await briefbot(restored, tmp_path, "import", "--force", str(PUTIN))
        assert f"published as brief #{newest[0].id + 1}" in out
