"""The `CACHEWARDEN_CONFIG` file: organisation policy, scan targets and bot settings in one TOML.

[scan]
regions = ["eu-west-1", "us-east-1"]     # empty: every enabled region
role_arns = ["arn:aws:iam::111111111111:role/cachewarden-audit"]
organization_role = ""                    # e.g. "cachewarden-audit" to scan a whole Organization
max_workers = 8

[bot]
allowed_channels = []                     # empty: any channel
approver_users = ["U012ABC"]
approver_groups = ["S0SECURITY"]
security_channel = "C0SECURITY"

[teams]                                   # Microsoft Teams approvers (Entra ids)
approver_users = ["6f1c0c3e-..."]         # user object ids
approver_groups = ["0b6e2d4a-..."]        # group object ids (members resolved via Graph)

[backups]                                 # ...and every policy section of posture.policy
minimum_retention_days = 7
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from posture.policy import OrgPolicy, PolicyError, parse_policy

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
# Any chat platform's id: Slack (U0123ABC), Entra object ids (GUIDs), Teams conversation
# ids (19:...@thread.tacv2). Each front end checks the ids it owns (`bot.slack_ids`).
_CHAT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:@.;=-]{1,199}$")


class ConfigError(ValueError):
    """The config file is missing or invalid; the message names the file and key."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScanConfig(_Section):
    regions: tuple[str, ...] = ()
    role_arns: tuple[str, ...] = ()
    organization_role: str = ""
    max_workers: Annotated[int, Field(ge=1, le=64)] = 8
    cpu_lookback_days: Annotated[int, Field(ge=1, le=63)] = 7

    @field_validator("role_arns")
    @classmethod
    def _arns(cls, arns: tuple[str, ...]) -> tuple[str, ...]:
        for arn in arns:
            if not _ROLE_ARN.match(arn):
                raise ValueError(f"{arn!r} is not an IAM role ARN")
        return arns


class BotConfig(_Section):
    allowed_channels: tuple[str, ...] = ()
    approver_users: tuple[str, ...] = ()
    approver_groups: tuple[str, ...] = ()
    security_channel: str = ""
    approval_ttl_hours: Annotated[int, Field(ge=1, le=720)] = 24
    dry_run: bool = False

    @field_validator("allowed_channels", "approver_users", "approver_groups")
    @classmethod
    def _chat_ids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        for chat_id in ids:
            if not _CHAT_ID.match(chat_id):
                raise ValueError(
                    f"{chat_id!r} is not a chat id (a Slack id like C0123ABC, or an Entra "
                    "object id / Teams conversation id)"
                )
        return ids


class DigestConfig(_Section):
    """[digest]: finding history and the daily digest (see docs/digest.md)."""

    retention_days: Annotated[int, Field(ge=1, le=3650)] = 90
    default_timezone: str = "UTC"
    late_after_minutes: Annotated[int, Field(ge=1, le=1440)] = 30  # later than this is reported
    shown_per_section: Annotated[int, Field(ge=1, le=20)] = 8

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        if name not in zoneinfo.available_timezones() and name != "UTC":
            raise ValueError(f"{name!r} is not an IANA time zone (like Europe/Berlin)")
        return name


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class TeamsConfig(_Section):
    """[teams]: who may decide from Teams (Entra object ids of users, ids of Entra groups)."""

    approver_users: tuple[str, ...] = ()
    approver_groups: tuple[str, ...] = ()

    @field_validator("approver_users", "approver_groups")
    @classmethod
    def _guids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        for entra_id in ids:
            if not _GUID.match(entra_id):
                raise ValueError(f"{entra_id!r} is not an Entra object id (a GUID)")
        return tuple(entra_id.lower() for entra_id in ids)


class AppConfig(_Section):
    policy: OrgPolicy = OrgPolicy()
    scan: ScanConfig = ScanConfig()
    bot: BotConfig = BotConfig()
    digest: DigestConfig = DigestConfig()
    teams: TeamsConfig = TeamsConfig()


def parse_config(text: str, *, source: str = "config") -> AppConfig:
    try:
        data = tomllib.loads(text)
        policy = parse_policy(text)
        sections = {
            "scan": data.get("scan", {}),
            "bot": data.get("bot", {}),
            "digest": data.get("digest", {}),
            "teams": data.get("teams", {}),
        }
        return AppConfig.model_validate(sections).model_copy(update={"policy": policy})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    except PolicyError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            ".".join(str(p) for p in err["loc"]) + ": " + err["msg"] for err in exc.errors()
        )
        raise ConfigError(f"{source}: {problems}") from None


def load_config(path: str | None) -> AppConfig:
    """Read the file named by CACHEWARDEN_CONFIG; no path means documented defaults."""
    if not path:
        return AppConfig()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"CACHEWARDEN_CONFIG={path}: cannot read ({exc.strerror})") from None
    return parse_config(text, source=path)
