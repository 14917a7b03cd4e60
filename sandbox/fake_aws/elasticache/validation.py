"""Checks shared by the create and modify calls."""

from __future__ import annotations

from typing import Any

from sandbox.fake_aws.elasticache import naming
from sandbox.fake_aws.elasticache.errors import invalid_combination, invalid_value

MAX_RETENTION_DAYS = 35
ENGINES = ("redis", "valkey", "memcached")
MEMCACHED_TLS_MINIMUM = (1, 6, 12)


def check_engine(engine: str, allowed: tuple[str, ...] = ENGINES) -> None:
    if engine not in allowed:
        raise invalid_value(f"Invalid engine: {engine}; allowed: {', '.join(allowed)}.")


def check_retention(days: int) -> None:
    if not 0 <= days <= MAX_RETENTION_DAYS:
        raise invalid_value(
            f"SnapshotRetentionLimit must be between 0 and {MAX_RETENTION_DAYS}, got {days}."
        )


def rbac_version_ok(engine: str, version: str) -> bool:
    """RBAC needs Redis OSS 6.0+ (every Valkey version has it)."""
    return engine == "valkey" or naming.version_tuple(version)[:2] >= (6, 0)


def check_memcached_tls(version: str, transit: bool) -> None:
    if transit and naming.version_tuple(version) < MEMCACHED_TLS_MINIMUM:
        raise invalid_combination("In-transit encryption needs Memcached 1.6.12 or later.")


def log_delivery_records(
    current: list[dict[str, Any]], requested: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Merge requested log deliveries (by LogType) into the current ones."""
    by_type = {entry["LogType"]: entry for entry in current}
    for request in requested:
        log_type = request.get("LogType")
        if log_type not in ("slow-log", "engine-log"):
            raise invalid_value(f"Invalid LogType: {log_type}.")
        if request.get("Enabled") is False:
            by_type.pop(log_type, None)
            continue
        by_type[log_type] = {
            "LogType": log_type,
            "DestinationType": request.get("DestinationType", "cloudwatch-logs"),
            "DestinationDetails": request.get("DestinationDetails", {}),
            "LogFormat": request.get("LogFormat", "json"),
            "Status": "active",
            "Message": "Log delivery is active.",
        }
    return [by_type[key] for key in sorted(by_type)]


def transit_mode_at_create(enabled: bool, mode: str | None) -> str | None:
    """Create defaults the mode to `required` when TLS is on."""
    if mode is not None and mode not in ("preferred", "required"):
        raise invalid_value(f"Invalid TransitEncryptionMode: {mode}.")
    if mode is not None and not enabled:
        raise invalid_combination("TransitEncryptionMode needs TransitEncryptionEnabled=true.")
    if not enabled:
        return None
    return mode or "required"
