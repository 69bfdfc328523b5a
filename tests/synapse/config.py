"""A homeserver.yaml for a test Synapse: one HTTP listener on 127.0.0.1, SQLite, no
federation, no open registration, its log in a file, and every rate limit but the
caller's message limit out of the way."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class RateLimit:
    """One of Synapse's token buckets: `burst_count` actions at once, refilled at
    `per_second` (Synapse's own default for messages is 0.2 a second, bursts of 10)."""

    per_second: float
    burst_count: int

    def settings(self) -> dict[str, float | int]:
        return {"per_second": self.per_second, "burst_count": self.burst_count}


# So high no test reaches it: the tests' users register, log in, create, join and invite
# far faster than people do, and each waited second would be the suite's.
GENEROUS = RateLimit(per_second=1000, burst_count=1000)

# Synapse's other limits, each of which would slow a test that makes many users or rooms.
_OTHER_LIMITS = (
    "rc_registration",
    "rc_registration_token_validity",
    "rc_login.address",
    "rc_login.account",
    "rc_login.failed_attempts",
    "rc_admin_redaction",
    "rc_joins.local",
    "rc_joins.remote",
    "rc_joins_per_room",
    "rc_key_requests",
    "rc_3pid_validation",
    "rc_invites.per_room",
    "rc_invites.per_user",
    "rc_invites.per_issuer",
    "rc_third_party_invite",
    "rc_media_create",
    "rc_presence.per_user",
    "rc_delayed_event_mgmt",
    "rc_room_creation",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)


def write_config(
    directory: Path, *, port: int, server_name: str, shared_secret: str, rc_message: RateLimit
) -> Path:
    """homeserver.yaml, its logging configuration and a signing key in `directory`; the
    configuration's path."""
    key = directory / "signing.key"
    if not key.exists():
        key.write_text(_signing_key(), encoding="utf-8")
    log_config = directory / "log.yaml"
    log_config.write_text(yaml.safe_dump(_logging(directory / "homeserver.log")), encoding="utf-8")
    settings: dict[str, Any] = {
        "server_name": server_name,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        # The client API and Synapse's admin API only: no federation resource, no TLS.
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "log_config": str(log_config),
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(key),
        "registration_shared_secret": shared_secret,
        "enable_registration": False,
        "report_stats": False,
        # Federation closed both ways, and no key server asked for other servers' keys.
        "federation_domain_whitelist": [],
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        # A password hashed at the lowest cost Synapse takes: the suite registers a user in
        # nearly every Matrix test, and the default (12 rounds) costs a quarter of a second.
        "bcrypt_rounds": 4,
        # Nothing a test reads, each a background task on the two cores the suite shares.
        "presence": {"enabled": False},
        "enable_metrics": False,
        # A public room created with a name may be listed, as on a homeserver people use.
        "room_list_publication_rules": [{"action": "allow"}],
        "rc_message": rc_message.settings(),
    }
    for name in _OTHER_LIMITS:
        _nest(settings, name, GENEROUS.settings())
    config = directory / "homeserver.yaml"
    config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return config


def _nest(settings: dict[str, Any], dotted: str, value: object) -> None:
    """`rc_login.address` as Synapse reads it: `rc_login: {address: ...}`."""
    *parents, last = dotted.split(".")
    for parent in parents:
        settings = settings.setdefault(parent, {})
    settings[last] = value


def _signing_key() -> str:
    """An ed25519 signing key in Synapse's file format (a key id, then the seed in unpadded
    base64), made here rather than by `--generate-keys`, which would cost a second start."""
    seed = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    return f"ed25519 a_{secrets.token_hex(2)} {seed}\n"


def _logging(path: Path) -> dict[str, Any]:
    """Warnings and errors only, to a file: the harness shows its end when a start fails.
    Synapse's access log would otherwise write a line for every request the tests make."""
    return {
        "version": 1,
        "formatters": {"precise": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
        "handlers": {
            "file": {"class": "logging.FileHandler", "formatter": "precise", "filename": str(path)}
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }
