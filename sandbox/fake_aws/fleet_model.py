"""What a fleet should look like (FleetSpec) and what was created (FleetManifest).

Every created resource lists the settings it has wrong, by name; `BAD_SETTING_RULES`
maps each name to the catalog rule(s) it should trip, so tests can assert exact findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_ACCOUNT = "123456789012"  # moto's account for credentials it does not know

# bad setting -> the rules (rules.md) that should report it
BAD_SETTING_RULES: dict[str, tuple[str, ...]] = {
    "in_transit_off": ("CW-101", "CW-102"),
    "in_transit_not_required": ("CW-102",),
    "at_rest_off": ("CW-103", "CW-104"),
    "at_rest_not_cmk": ("CW-104",),
    "snapshot_not_cmk": ("CW-105",),
    "no_auth_token": ("CW-201",),
    "no_client_auth": ("CW-202",),
    "open_rbac_user": ("CW-203",),
    "auth_token_old": ("CW-204",),
    "serverless_no_user_group": ("CW-205",),
    "default_subnet_group": ("CW-302", "CW-307"),  # the default group sits in the default VPC
    "public_subnet": ("CW-303",),
    "open_to_internet": ("CW-304", "CW-305"),
    "default_port": ("CW-306",),
    "backups_off": ("CW-401", "CW-402"),
    "backup_retention_short": ("CW-402",),
    "no_automatic_failover": ("CW-403", "CW-404"),
    "no_multi_az": ("CW-404",),
    "auto_minor_upgrade_off": ("CW-405",),
    "old_engine_version": ("CW-406",),
    "logs_off": ("CW-501",),
    "missing_tags": ("CW-502",),
    "no_trail": ("CW-503",),
    "no_notifications": ("CW-504",),
    "broad_elasticache_policy": ("CW-505",),
    "previous_generation_node": ("CW-601",),
    "idle": ("CW-604",),
    "lease_expiring_7_days": ("CW-605", "CW-606"),
    "lease_expiring_30_days": ("CW-606",),
    "payment_pending": ("CW-607",),
    "payment_failed": ("CW-608",),
    "unused_reservation": ("CW-609",),
}

REQUIRED_TAGS = {"owner": "platform-team", "environment": "prod"}
TRUSTED_CIDR = "10.0.0.0/8"
MIN_RETENTION_DAYS = 7
TOKEN_MAX_AGE_DAYS = 90


@dataclass(frozen=True)
class FleetSpec:
    """How many of what, where. `accounts[0]` is reached with the caller's credentials,
    the others through `sts:AssumeRole` on `arn:aws:iam::<account>:role/<role_name>`."""

    groups: int = 12
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1")
    accounts: tuple[str, ...] = (DEFAULT_ACCOUNT,)
    role_name: str = "CachewardenAudit"
    seed: int = 7
    memcached_clusters: int | None = None
    serverless_caches: int | None = None
    reserved_nodes: bool = True
    metrics: bool = True
    trail_regions: tuple[str, ...] | None = None
    # Groups added after all others, each failing only CW-204 (an AUTH token past its
    # maximum age): something a token rotation can resolve. Added last, so the rest of
    # the fleet stays as the seed draws it.
    stale_token_groups: int = 0

    def memcached_count(self) -> int:
        return (
            self.memcached_clusters
            if self.memcached_clusters is not None
            else max(1, self.groups // 6)
        )

    def serverless_count(self) -> int:
        return (
            self.serverless_caches
            if self.serverless_caches is not None
            else max(1, self.groups // 8)
        )

    def regions_with_trail(self) -> tuple[str, ...]:
        return self.trail_regions if self.trail_regions is not None else self.regions[:1]


def demo_fleet_spec() -> FleetSpec:
    """Two accounts, two regions, about a dozen caches in every engine, mixed posture."""
    return FleetSpec(
        groups=8,
        regions=("us-east-1", "eu-west-1"),
        accounts=(DEFAULT_ACCOUNT, "210987654321"),
        memcached_clusters=2,
        serverless_caches=3,
        stale_token_groups=1,  # cw-redis-0008: the rotation story's group
    )


@dataclass
class ResourceRecord:
    kind: str
    resource_id: str
    account: str
    region: str
    engine: str | None = None
    engine_version: str | None = None
    bad: tuple[str, ...] = ()
    arn: str | None = None
    member_clusters: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def compliant(self) -> bool:
        return not self.bad

    def rules(self) -> set[str]:
        """Catalog rules this resource should fail."""
        return {rule for setting in self.bad for rule in BAD_SETTING_RULES[setting]}


@dataclass
class RegionManifest:
    account: str
    region: str
    vpc_id: str = ""
    subnet_groups: dict[str, str] = field(default_factory=dict)
    security_groups: dict[str, str] = field(default_factory=dict)
    kms_key_arn: str = ""
    user_groups: dict[str, str] = field(default_factory=dict)
    resources: list[ResourceRecord] = field(default_factory=list)
    bad: tuple[str, ...] = ()


@dataclass
class FleetManifest:
    endpoint_url: str
    spec: FleetSpec
    regions: list[RegionManifest] = field(default_factory=list)
    account_bad: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def resources(self, kind: str | None = None) -> list[ResourceRecord]:
        return [
            record
            for region in self.regions
            for record in region.resources
            if kind is None or record.kind == kind
        ]

    def find(self, resource_id: str) -> ResourceRecord:
        for record in self.resources():
            if record.resource_id == resource_id:
                return record
        raise KeyError(resource_id)

    def region(self, account: str, region: str) -> RegionManifest:
        for entry in self.regions:
            if (entry.account, entry.region) == (account, region):
                return entry
        raise KeyError((account, region))
