"""The organisation policy: every threshold a rule uses, loaded from TOML.

Each section has documented defaults, so an empty file (or no file) is a valid policy.
Unknown keys are refused, so a typo like `minimum_retention_day` fails loudly instead
of silently keeping the default.
"""

from __future__ import annotations

import ipaddress
import tomllib
from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from posture.base import Severity


class PolicyError(ValueError):
    """The policy file is unreadable or invalid; the message names the bad key."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BackupPolicy(_Section):
    minimum_retention_days: Annotated[int, Field(ge=1, le=35)] = 7


class AuthPolicy(_Section):
    maximum_token_age_days: Annotated[int, Field(ge=1, le=3650)] = 90
    token_length: Annotated[int, Field(ge=16, le=128)] = 64
    secret_name_prefix: str = "cachewarden/auth/"
    allowed_user_groups: tuple[str, ...] = ()
    # CW-206: RBAC user ids or user names allowed to run every (or any dangerous) command.
    admin_users: tuple[str, ...] = ()


class NetworkPolicy(_Section):
    """CW-304/CW-305 trust. The cache's own VPC blocks and same-account security groups are
    always trusted; anything else (a whole private range, another account's or a peered
    VPC's group, a prefix list) only when listed here."""

    trusted_cidrs: tuple[str, ...] = ()
    trusted_security_groups: tuple[str, ...] = ()
    trusted_accounts: tuple[str, ...] = ()
    trusted_prefix_lists: tuple[str, ...] = ()

    @field_validator("trusted_accounts")
    @classmethod
    def _accounts_are_ids(cls, accounts: tuple[str, ...]) -> tuple[str, ...]:
        for account in accounts:
            if not (len(account) == 12 and account.isdigit()):
                raise ValueError(f"{account!r} is not a 12-digit AWS account id")
        return accounts

    @field_validator("trusted_cidrs")
    @classmethod
    def _cidrs_parse(cls, cidrs: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in cidrs:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise ValueError(f"{cidr!r} is not a CIDR block") from exc
        return cidrs


class TagPolicy(_Section):
    required: tuple[str, ...] = ()
    allowed_values: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class NodePolicy(_Section):
    allowed_types: tuple[str, ...] = ()
    max_nodes_per_region: Annotated[int, Field(ge=1)] = 100
    idle_cpu_percent: Annotated[float, Field(ge=0, le=100)] = 2.0
    # CW-604's window: the collector averages CPUUtilization over this many days.
    idle_lookback_days: Annotated[int, Field(ge=1, le=63)] = 7

    @property
    def idle_window(self) -> timedelta:
        """How far back scans read CPU use (the one setting; [scan] has none of its own)."""
        return timedelta(days=self.idle_lookback_days)


class EncryptionPolicy(_Section):
    # CW-104 and CW-105 judge keys only when the organisation requires its own keys;
    # false makes both not applicable (the AWS-owned key still encrypts the data).
    require_cmk: bool = True


class EnginePolicy(_Section):
    minimum_versions: dict[str, str] = Field(
        default_factory=lambda: {"redis": "6.2", "valkey": "7.2", "memcached": "1.6.12"}
    )

    @field_validator("minimum_versions")
    @classmethod
    def _known_engines(cls, versions: dict[str, str]) -> dict[str, str]:
        for engine in versions:
            if engine not in ("redis", "valkey", "memcached"):
                raise ValueError(f"unknown engine {engine!r} (redis, valkey or memcached)")
        return versions


class RulePolicy(_Section):
    disabled: tuple[str, ...] = ()
    severity: dict[str, Severity] = Field(default_factory=dict)


class AccessPolicy(_Section):
    """CW-505: principals allowed to hold broad ElastiCache permissions."""

    admin_principals: tuple[str, ...] = ()


class ReservedPolicy(_Section):
    warn_days_high: Annotated[int, Field(ge=1)] = 7
    warn_days_medium: Annotated[int, Field(ge=1)] = 30


class IacPolicy(_Section):
    """Which resources a template owns: CloudFormation's own `aws:cloudformation:*` tags
    always count; `terraform_tags` adds "key" (any value) or "key=value" entries."""

    terraform_tags: tuple[str, ...] = ()
    live_fix_by_default: bool = False  # true: IaC-managed resources get live fixes as before


class RotationPolicy(_Section):
    """Scheduled rotation (issue 17): once a day, a rotation is requested (with the usual
    approval; the bot is the requester) for every group or serverless cache whose AUTH token
    or user password has sat in Secrets Manager as AWSCURRENT longer than `max_age_days`.
    0 turns it off. Requests go to `channel`, else to the bot's security channel."""

    max_age_days: Annotated[int, Field(ge=0, le=3650)] = 0
    channel: str = ""


class OrgPolicy(_Section):
    backups: BackupPolicy = BackupPolicy()
    auth: AuthPolicy = AuthPolicy()
    network: NetworkPolicy = NetworkPolicy()
    tags: TagPolicy = TagPolicy()
    nodes: NodePolicy = NodePolicy()
    encryption: EncryptionPolicy = EncryptionPolicy()
    engines: EnginePolicy = EnginePolicy()
    rules: RulePolicy = RulePolicy()
    access: AccessPolicy = AccessPolicy()
    reserved: ReservedPolicy = ReservedPolicy()
    iac: IacPolicy = IacPolicy()
    rotation: RotationPolicy = RotationPolicy()


NON_POLICY_SECTIONS = frozenset(
    {"bot", "scan", "remediation", "digest", "alerts", "limits", "teams"}
)


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        if item["type"] == "extra_forbidden":
            lines.append(f"{key}: unknown key")
        else:
            lines.append(f"{key}: {item['msg']}")
    return "invalid policy: " + "; ".join(lines)


def parse_policy(text: str) -> OrgPolicy:
    """Parse TOML text into a policy; raises only `PolicyError`."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeError, ValueError, TypeError) as exc:
        raise PolicyError(f"policy is not valid TOML: {exc}") from None
    # The same file holds the bot's own settings; those sections are read elsewhere.
    policy_section = {k: v for k, v in data.items() if k not in NON_POLICY_SECTIONS}
    try:
        return OrgPolicy.model_validate(policy_section)
    except ValidationError as exc:
        raise PolicyError(_describe(exc)) from None
