"""What a fix plan is: the exact AWS calls, the words around them, or a runbook. Pure."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from posture.base import ResourceKind

# Parameters that name the resource a call acts on, in the order a target is looked up.
TARGET_PARAMS = ("ReplicationGroupId", "CacheClusterId", "ServerlessCacheName", "GroupId")
_ACRONYM_END = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_START = re.compile(r"([a-z0-9])([A-Z])")


def words_of(name: str, joiner: str) -> str:
    """API names split into words: MultiAZEnabled -> multi-az-enabled (joiner "-")."""
    split = _WORD_START.sub(r"\1 \2", _ACRONYM_END.sub(r"\1 \2", name))
    return split.lower().replace(" ", joiner)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PlanKind(StrEnum):
    IN_PLACE = "in_place"  # approved calls change the live resource
    REBUILD = "rebuild"  # a runbook: the setting cannot change on the live resource
    BLOCKED = "blocked"  # a precondition is missing; `reason` says which and what to do
    MANUAL = "manual"  # no automated fix: the catalog's steps, for a person to run


class ApiCall(_Frozen):
    """One AWS API call: service, operation (API name) and its parameters, never secrets."""

    service: str
    operation: str
    params: dict[str, Any]

    @property
    def method(self) -> str:
        """The boto3 client method: ModifyReplicationGroup -> modify_replication_group."""
        return words_of(self.operation, "_")

    @property
    def target(self) -> str:
        for name in TARGET_PARAMS:
            if name in self.params:
                return str(self.params[name])
        return ""

    def describe(self) -> str:
        """`elasticache:ModifyReplicationGroup {"ReplicationGroupId": ...}` on one line."""
        return f"{self.service}:{self.operation} {json.dumps(self.params, sort_keys=True)}"

    def cli(self, region: str) -> str:
        """The same call as an AWS CLI command a person can paste."""
        parts = ["aws", self.service, words_of(self.operation, "-")]
        for name, value in self.params.items():
            parts.extend(_cli_option(words_of(name, "-"), value))
        parts.extend(["--region", shlex.quote(region)])
        return " ".join(parts)


def _cli_option(option: str, value: Any) -> list[str]:
    if isinstance(value, bool):
        return [f"--{option}" if value else f"--no-{option}"]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [f"--{option}", *(shlex.quote(v) for v in value)]
    if isinstance(value, list | tuple | dict):
        return [f"--{option}", shlex.quote(json.dumps(value, separators=(",", ":")))]
    return [f"--{option}", shlex.quote(str(value))]


class RunbookStep(_Frozen):
    title: str
    commands: tuple[str, ...] = ()
    note: str = ""


class Runbook(_Frozen):
    """A resource-specific rebuild, step by step, with commands a person runs."""

    title: str
    summary: str
    steps: tuple[RunbookStep, ...]
    backout: str


class FixPlan(_Frozen):
    """What fixing one finding means for one resource, as of the snapshot it was built from."""

    rule_id: str
    resource_kind: ResourceKind
    resource_id: str
    account: str
    region: str
    kind: PlanKind
    change: str
    calls: tuple[ApiCall, ...] = ()
    risk: str = ""
    backout: str = ""
    reason: str = ""
    next_step: str = ""
    runbook: Runbook | None = None
    fingerprint: str = ""
    warning: str = ""  # what an approver must know before approving (endpoints that change)
    drift_accepted: bool = False  # a template owns the resource; the requester chose live
    iac_owner: str = ""  # a template change: the tool and stack that own the resource
    finding_id: str = ""  # the finding the plan answers, once posted (for its buttons)

    @property
    def runs_calls(self) -> bool:
        return self.kind is PlanKind.IN_PLACE and bool(self.calls)

    @property
    def api_call_text(self) -> str:
        return "\n".join(call.describe() for call in self.calls) or "no AWS call"

    def calls_subset_of(self, other: FixPlan) -> bool:
        """Every call of this plan is also in `other` (what is left of a half-applied plan)."""
        theirs = [call.describe() for call in other.calls]
        return all(call.describe() in theirs for call in self.calls)


class FixResult(_Frozen):
    """The verified outcome of an applied fix, posted in the finding's thread."""

    request_id: str
    rule_id: str
    resource_kind: ResourceKind
    resource_id: str
    verified: bool
    evidence: str
    next_step: str = ""
    next_finding_id: str = ""  # a button to request the follow-up fix, when there is one
    endpoints: tuple[str, ...] = ()  # the names clients use, as re-collected after the change


def fingerprint(state: Mapping[str, Any]) -> str:
    """A short, stable digest of the facts a fix depends on."""
    canonical = json.dumps(state, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]
