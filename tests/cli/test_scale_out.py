"""The scale-out recipe (scale-out/compose.yaml, scale-out/nginx.conf and "Several replicas"
in docs/operators/postgresql.md), checked without a Docker engine: what a user relies on
when running it, read from the files themselves and from the bot's own settings code."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.cli import main
from bot.config import database_warnings, load_config, misspelled_settings
from bot.config.dotenv import read_dotenv
from tests.cli.test_container import instructions

ROOT = Path(__file__).parents[2]
SCALE_OUT = ROOT / "scale-out"
REPLICAS = ["bot1", "bot2", "bot3"]
# What a user adds to the .env copied from .env.example, as the operators' docs say.
USER_ENV = {
    "TELEGRAM_BOT_TOKEN": "123456789:AAH-scale-out-test",
    "POSTGRES_PASSWORD": "9f86d081884c7d659a2feaa0c55ad015",
    "WEBHOOK_URL": "https://bot.example.com/telegram",
}
# Left in a .env that served the bot on SQLite outside a container.
SQLITE_SETTINGS = {"DATABASE_PATH": "briefbot.db", "BACKUP_DIR": "/var/backups/briefbot"}


def compose(path: Path) -> Any:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    found: dict[str, Any] = compose(SCALE_OUT / "compose.yaml")["services"]
    return found


@pytest.fixture(scope="module")
def single_bot() -> dict[str, Any]:
    """The top-level compose.yaml's one bot."""
    found: dict[str, Any] = compose(ROOT / "compose.yaml")["services"]["bot"]
    return found


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error} (the forms used here)."""

    def one(match: re.Match[str]) -> str:
        name, form, word = match["name"], match["form"], match["word"]
        if env.get(name):
            return env[name]
        if form == ":?":
            raise LookupError(f"{name}: {word}")
        return word if form == ":-" else ""

    return re.sub(r"\$\{(?P<name>\w+)(?:(?P<form>:[-?])(?P<word>[^}]*))?\}", one, value)


def user_dotenv() -> dict[str, str]:
    """The .env a user ends with: .env.example, filled in as the operators' docs say."""
    return {**read_dotenv(ROOT / ".env.example"), **USER_ENV}


def container_environment(service: dict[str, Any], dotenv: dict[str, str]) -> dict[str, str]:
    """What the process in the container sees: the image's ENV, then env_file, then
    environment (interpolated from the .env given with --env-file), each winning over the
    one before."""
    image: dict[str, str] = {}
    for name, args in instructions():
        if name == "ENV":
            image.update(pair.partition("=")[::2] for pair in args.split())
    env_file = dotenv if "env_file" in service else {}
    own = {key: interpolate(value, dotenv) for key, value in service["environment"].items()}
    return {**image, **env_file, **own}


def briefbot_argv(service: dict[str, Any]) -> list[str]:
    """The command the service runs: the image's ENTRYPOINT and the service's command."""
    entrypoint: list[str] = json.loads(dict(instructions())["ENTRYPOINT"])
    return [*entrypoint, *service["command"]]


# -- the replicas ----------------------------------------------------------------------


def test_there_are_three_interchangeable_replicas(services: dict[str, Any]) -> None:
    assert sorted(name for name in services if name.startswith("bot")) == REPLICAS
    first, *others = (services[name] for name in REPLICAS)
    assert all(other == first for other in others)


@pytest.mark.parametrize("name", REPLICAS)
def test_each_replica_is_a_valid_webhook_bot_on_the_shared_database(
    services: dict[str, Any], name: str
) -> None:
    env = container_environment(services[name], {**user_dotenv(), **SQLITE_SETTINGS})
    config = load_config(environ=env, dotenv=None)
    assert config.database_url == (
        f"postgresql://briefbot:{USER_ENV['POSTGRES_PASSWORD']}@postgres:5432/briefbot"
    )
    assert config.webhook_url == USER_ENV["WEBHOOK_URL"]
    assert (config.http_host, config.http_port) == ("0.0.0.0", 8080)
    assert config.backup_dir is None  # pg_dump, not BACKUP_DIR
    # No warning at each start: DATABASE_PATH (the image's and .env's) is emptied, and
    # POSTGRES_PASSWORD, which the bot reads too, looks like none of its settings.
    assert database_warnings(environ=env, dotenv=None) == []
    assert misspelled_settings(environ=env, dotenv=None) == []


def test_a_replica_without_webhook_url_is_refused_by_compose(services: dict[str, Any]) -> None:
    """One polling replica would delete the webhook for all; compose stops at `up` instead."""
    dotenv = {**user_dotenv(), "WEBHOOK_URL": ""}
    for name in REPLICAS:
        with pytest.raises(LookupError, match="WEBHOOK_URL"):
            container_environment(services[name], dotenv)


def test_the_replicas_run_the_image_and_settings_of_the_single_bot(
    services: dict[str, Any], single_bot: dict[str, Any]
) -> None:
    built = (ROOT / single_bot["build"]).resolve()
    settings = (ROOT / single_bot["env_file"]).resolve()
    for name in [*REPLICAS, "migrate", "copy-db"]:
        service = services[name]
        assert (SCALE_OUT / service["build"]).resolve() == built, name
        assert service["image"] == single_bot["image"], name
    for name in REPLICAS:
        assert (SCALE_OUT / services[name]["env_file"]).resolve() == settings
        # Longer than the 15 s a stopping bot takes to finish what it holds.
        assert services[name]["stop_grace_period"] == single_bot["stop_grace_period"]
        assert services[name]["restart"] == single_bot["restart"]
        assert "ports" not in services[name]  # reached through nginx only


def test_the_database_url_names_the_postgres_service(services: dict[str, Any]) -> None:
    postgres = services["postgres"]["environment"]
    urls = {services[name]["environment"]["DATABASE_URL"] for name in [*REPLICAS, "migrate"]}
    urls.add(briefbot_argv(services["copy-db"])[-1])
    [url] = urls
    parts = urlsplit(url)
    assert parts.scheme == "postgresql"
    assert (parts.hostname, parts.port) == ("postgres", 5432)
    assert parts.username == postgres["POSTGRES_USER"]
    assert parts.path == f"/{postgres['POSTGRES_DB']}"
    assert parts.password == "${POSTGRES_PASSWORD}"
    assert postgres["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


# -- the order of starting -------------------------------------------------------------


def test_postgres_reports_ready_only_when_it_accepts_connections(
    services: dict[str, Any],
) -> None:
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:15"
    test = postgres["healthcheck"]["test"]
    assert test[:2] == ["CMD", "pg_isready"]
    # Over TCP: the image's first-start initialisation runs a server on a socket only.
    assert test[test.index("-h") + 1] == "127.0.0.1"
    assert "/var/lib/postgresql/data" in [v.split(":")[1] for v in postgres["volumes"]]


def test_migrate_runs_once_after_postgres_and_before_every_replica(
    services: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    migrate = services["migrate"]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    # A one-shot: a restart policy would run it again and again.
    assert migrate.get("restart", "no") == "no"
    argv = briefbot_argv(migrate)
    assert argv == ["briefbot", "migrate"]
    with pytest.raises(SystemExit) as helped:
        main([*argv[1:], "--help"])
    assert helped.value.code == 0, capsys.readouterr().err
    for name in REPLICAS:
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }


def test_copy_db_runs_only_when_named_and_copies_into_the_replicas_database(
    services: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    copy = services["copy-db"]
    assert copy["profiles"] == ["copy"]  # `up` leaves it out
    assert copy["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    argv = briefbot_argv(copy)
    assert argv[:3] == ["briefbot", "copy-db", "--to"]
    assert argv[3] == services["bot1"]["environment"]["DATABASE_URL"]
    env = container_environment(copy, user_dotenv())
    assert "DATABASE_URL" not in env  # copy-db reads DATABASE_PATH: no warning it is ignored
    assert env["DATABASE_PATH"].startswith("/data/")
    with pytest.raises(SystemExit) as helped:
        main([*argv[1:2], "--help"])
    assert helped.value.code == 0
    assert "--to URL" in capsys.readouterr().out


# -- nginx -----------------------------------------------------------------------------


def nginx_conf() -> str:
    text = (SCALE_OUT / "nginx.conf").read_text(encoding="utf-8")
    return re.sub(r"#[^\n]*", "", text)


def blocks(kind: str, text: str) -> dict[str, str]:
    """`kind NAME { body }` blocks (none nested in these) by NAME."""
    pattern = rf"\b{kind}\s+([^{{]+?)\s*\{{([^{{}}]*)\}}"
    return {" ".join(name.split()): body for name, body in re.findall(pattern, text)}


def directives(text: str, name: str) -> list[list[str]]:
    """The arguments of each `name ...;` directive in the text, whatever block it is in."""
    statements = re.split(r"[;{}]", text)
    return [words[1:] for words in map(str.split, statements) if words[:1] == [name]]


def test_nginx_uses_this_configuration(services: dict[str, Any]) -> None:
    nginx = services["nginx"]
    mounts = {(SCALE_OUT / v.split(":")[0]).resolve(): v.split(":")[1] for v in nginx["volumes"]}
    assert mounts[(SCALE_OUT / "nginx.conf").resolve()] == "/etc/nginx/conf.d/default.conf"


def test_nginx_balances_exactly_the_three_replicas(services: dict[str, Any]) -> None:
    [body] = blocks("upstream", nginx_conf()).values()
    servers = directives(body, "server")
    expected = {f"{r}:{services[r]['environment']['HTTP_PORT']}" for r in REPLICAS}
    assert {server[0] for server in servers} == expected
    assert len(servers) == len(REPLICAS)
    for server in servers:
        options = dict(o.partition("=")[::2] for o in server[1:])
        # A replica that fails is skipped for a while, then tried again.
        assert int(options["max_fails"]) >= 1
        assert options["fail_timeout"]
        # Re-resolved: a replica recreated with a new address is found again.
        assert "resolve" in options
    # `resolve` in an upstream came to nginx (open source) with 1.27.3.
    tag = services["nginx"]["image"].removeprefix("nginx:")
    assert tuple(int(n) for n in tag.split(".")) >= (1, 27, 3)


def test_nginx_passes_the_webhook_and_nothing_else(services: dict[str, Any]) -> None:
    text = nginx_conf()
    [upstream] = blocks("upstream", text)
    locations = blocks("location", text)
    assert locations.keys() == {f"= {urlsplit(USER_ENV['WEBHOOK_URL']).path}", "/"}
    [proxied] = [path for path, body in locations.items() if "proxy_pass" in body]
    assert proxied.startswith("= ")  # this path exactly: not /healthz, /readyz, /metrics
    assert directives(locations[proxied], "proxy_pass") == [[f"http://{upstream}"]]
    assert directives(locations["/"], "return") == [["404"]]
    # An update a stopping replica refused (503) goes to another one.
    retried = directives(locations[proxied], "proxy_next_upstream")
    assert len(retried) == 1
    assert {"http_503", "non_idempotent"} <= set(retried[0])


def test_nginx_terminates_tls_with_a_mounted_certificate(services: dict[str, Any]) -> None:
    text = nginx_conf()
    assert ["443", "ssl"] in directives(text, "listen")
    nginx = services["nginx"]
    assert "443:443" in nginx["ports"]
    mounted = [PurePosixPath(v.split(":")[1]) for v in nginx["volumes"]]
    for directive in ("ssl_certificate", "ssl_certificate_key"):
        [[path]] = directives(text, directive)
        assert any(PurePosixPath(path).is_relative_to(m) for m in mounted), path
    [[server_name]] = directives(text, "server_name")
    assert urlsplit(USER_ENV["WEBHOOK_URL"]).hostname == server_name


# -- the operators' docs ----------------------------------------------------------------


def readme_section() -> str:
    """docs/operators/postgresql.md's "Several replicas", up to the next heading."""
    text = (ROOT / "docs" / "operators" / "postgresql.md").read_text(encoding="utf-8")
    start = text.index("\n## Several replicas\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def compose_commands() -> list[list[str]]:
    """Every `docker compose -f scale-out/compose.yaml` command in the section's sh blocks."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", readme_section(), re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:4] == ["docker", "compose", "-f", "scale-out/compose.yaml"]:
                found.append(words)
    return found


def named_services(words: list[str]) -> list[str]:
    """The services `docker compose -f F --env-file E SUBCOMMAND [options] ...` names: for
    run and exec the first word after the options, for the others every such word."""
    subcommand, positional, skip = words[6], [], False
    for word in words[7:]:
        if skip:
            skip = False
        elif word in ("-v", "--volume", "-e", "--env"):
            skip = True  # the option's value
        elif not word.startswith("-"):
            positional.append(word)
    return positional[:1] if subcommand in ("run", "exec") else positional


def test_the_readme_commands_name_services_of_the_compose_file(
    services: dict[str, Any],
) -> None:
    commands = compose_commands()
    assert len(commands) >= 5
    for words in commands:
        assert words[4:6] == ["--env-file", ".env"], words
        assert set(named_services(words)) <= services.keys(), words
    named = {name for words in commands for name in named_services(words)}
    assert {"copy-db", "migrate"} <= named
    assert named & set(REPLICAS)


def test_the_readme_copies_the_sqlite_volume_where_copy_db_reads(
    services: dict[str, Any],
) -> None:
    [words] = [w for w in compose_commands() if "copy-db" in named_services(w)]
    volume = words[words.index("-v") + 1]
    path = PurePosixPath(services["copy-db"]["environment"]["DATABASE_PATH"])
    assert volume.split(":")[1] == str(path.parent)


def test_the_readme_webhook_url_is_the_one_nginx_serves() -> None:
    [url] = set(re.findall(r"WEBHOOK_URL=(\S+?)`", readme_section()))
    assert url == USER_ENV["WEBHOOK_URL"]
