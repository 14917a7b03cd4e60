"""The `CACHEWARDEN_CONFIG` file: organisation policy, scan targets and bot settings in one TOML.

[scan]
regions = ["eu-west-1", "us-east-1"]     # empty: every enabled region
role_arns = ["arn:aws:iam::111111111111:role/cachewarden-audit"]
organization_role = ""                    # e.g. "cachewarden-audit" to scan a whole Organization
max_workers = 8

[remediation]                             # the role fixes and token rotations assume
role_arns = ["arn:aws:iam::111111111111:role/cachewarden-remediation"]
organization_role = ""                    # e.g. "cachewarden-remediation" in every account

[bot]
allowed_channels = []                     # empty: any channel
approver_users = ["U012ABC"]
approver_groups = ["S0SECURITY"]
security_channel = "C0SECURITY"

[limits]                                  # fairness and retention, see the README's security section
audits_per_user = 5                       # audit requests per user per window
audits_per_channel = 10                   # audit requests per channel per window
audit_window_seconds = 60
max_queued_scans = 20                     # scans queued or running at once, all users together
refused_clicks_per_user = 10              # refused clicks per user per minute before "slow down"
refusal_log_window_seconds = 600          # one `decision.refused` entry per request, actor, reason
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

from posture.alert_transitions import parse_quiet_hours
from posture.base import Severity
from posture.policy import OrgPolicy, PolicyError, parse_policy

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
# Any chat platform's id: Slack (U0123ABC), Entra object ids (GUIDs), Teams conversation
# ids (19:...@thread.tacv2). Each front end checks the ids it owns (`bot.slack.ids`).
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
    # The CPU window for CW-604 is [nodes] idle_lookback_days, read by every scan.

    @field_validator("role_arns")
    @classmethod
    def _arns(cls, arns: tuple[str, ...]) -> tuple[str, ...]:
        for arn in arns:
            if not _ROLE_ARN.match(arn):
                raise ValueError(f"{arn!r} is not an IAM role ARN")
        return arns


class RemediationConfig(_Section):
    """[remediation]: the write role, kept apart from the read-only audit role of [scan].

    Fix and rotation jobs assume it; scans never do. With neither set, they run only in the
    account of the bot's own credentials, with those credentials.
    """

    role_arns: tuple[str, ...] = ()
    organization_role: str = ""

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


class AlertsConfig(_Section):
    """[alerts]: real-time alerts from `cachewarden listen` (see docs/alerts.md)."""

    queue_url: str = ""  # the SQS queue the EventBridge rule feeds
    dlq_url: str = ""  # its dead-letter queue, for the depth metric
    queue_region: str = ""  # empty: the region in the queue URL
    minimum_severity: Severity = Severity.MEDIUM
    quiet_hours: str = ""  # "22:00-07:00" in quiet_timezone; empty: never quiet
    quiet_timezone: str = "UTC"
    quiet_spares: Severity = Severity.HIGH  # at or above this, alerts post even when quiet
    rate_limit_per_minute: Annotated[int, Field(ge=1, le=600)] = 10
    dedupe_hours: Annotated[int, Field(ge=1, le=168)] = 24
    recheck_seconds: Annotated[int, Field(ge=1, le=3600)] = 30  # while a cache is modifying
    recheck_attempts: Annotated[int, Field(ge=0, le=60)] = 10
    visibility_seconds: Annotated[int, Field(ge=10, le=43200)] = 120
    wait_seconds: Annotated[int, Field(ge=0, le=20)] = 20  # SQS long polling maximum is 20

    @field_validator("quiet_hours")
    @classmethod
    def _window(cls, text: str) -> str:
        parse_quiet_hours(text)
        return text

    @field_validator("quiet_timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        if name not in zoneinfo.available_timezones() and name != "UTC":
            raise ValueError(f"{name!r} is not an IANA time zone (like Europe/Berlin)")
        return name


class LimitsConfig(_Section):
    """[limits]: per-user and per-channel rate limits, the scan cap, audit-log retention.

    Audit-log retention: approvals, AWS calls and every other entry are kept for
    `audit_log_keep_days` (default about 13 months, above the 12 months PCI DSS 10.5.1 asks
    for); refused clicks, the one kind anybody can produce in bulk, for `refusals_keep_days`.
    """

    audits_per_user: Annotated[int, Field(ge=1, le=1000)] = 5
    audits_per_channel: Annotated[int, Field(ge=1, le=1000)] = 10
    audit_window_seconds: Annotated[int, Field(ge=1, le=86400)] = 60
    max_queued_scans: Annotated[int, Field(ge=1, le=10000)] = 20
    refused_clicks_per_user: Annotated[int, Field(ge=1, le=1000)] = 10
    refused_click_window_seconds: Annotated[int, Field(ge=1, le=3600)] = 60
    refusal_log_window_seconds: Annotated[int, Field(ge=1, le=86400)] = 600
    audit_log_keep_days: Annotated[int, Field(ge=30, le=3650)] = 400
    refusals_keep_days: Annotated[int, Field(ge=1, le=3650)] = 30
    stuck_after_minutes: Annotated[int, Field(ge=5, le=1440)] = 45


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
    remediation: RemediationConfig = RemediationConfig()
    bot: BotConfig = BotConfig()
    digest: DigestConfig = DigestConfig()
    alerts: AlertsConfig = AlertsConfig()
    limits: LimitsConfig = LimitsConfig()
    teams: TeamsConfig = TeamsConfig()


def parse_config(text: str, *, source: str = "config") -> AppConfig:
    try:
        data = tomllib.loads(text)
        policy = parse_policy(text)
        sections = {
            "scan": data.get("scan", {}),
            "remediation": data.get("remediation", {}),
            "bot": data.get("bot", {}),
            "digest": data.get("digest", {}),
            "alerts": data.get("alerts", {}),
            "limits": data.get("limits", {}),
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
