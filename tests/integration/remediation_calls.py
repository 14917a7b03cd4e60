"""The AWS calls remediation sessions made in a stack, as counted by the workers' call guard."""

from __future__ import annotations

import redis

from posture.iam import remediation_policy
from posture.privileges import iam_action, iam_actions
from workers.platform.telemetry import read_counters


def made(redis_url: str) -> set[str]:
    """IAM actions of every call the remediation role made (workers count each in Redis)."""
    rows = read_counters(redis.Redis.from_url(redis_url))
    return {
        iam_action((labels["service"], labels["operation"]))
        for name, labels, _ in rows
        if name == "remediation_calls"
    }


def granted() -> set[str]:
    """What `cachewarden iam-policy remediation` grants."""
    return {action for s in remediation_policy()["Statement"] for action in s["Action"]}


def is_write(action: str) -> bool:
    """True for an IAM action that changes something (anything but Describe/List/Get)."""
    verb = action.split(":", 1)[1]
    return not verb.startswith(("Describe", "List", "Get"))


def writes(actions: set[str]) -> set[str]:
    return {action for action in actions if is_write(action)}


__all__ = ["granted", "iam_actions", "is_write", "made", "writes"]
