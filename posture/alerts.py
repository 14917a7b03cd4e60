"""Real-time alerts, the pure part: a CloudTrail event in, the resources it touched out.

An EventBridge rule forwards successful ElastiCache (and EC2 security group) write calls
to SQS as "AWS API Call via CloudTrail" events. This module reads one such event into
`ApiCallEvent` (who, what, when, where), and says which resources to re-read. It never
keeps a request value that could be a secret: only parameter names, and values that are
plainly booleans, numbers or short identifiers.

Facts: https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-elasticache.html
(detail-type and eventSource), https://docs.aws.amazon.com/awscloudtrail/latest/userguide/
cloudtrail-event-reference-user-identity.html (userIdentity). Account and region are read
from `detail.recipientAccountId` and `detail.awsRegion`, time from `detail.eventTime`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from posture.base import ResourceKind

DETAIL_TYPE = "AWS API Call via CloudTrail"
ELASTICACHE = "elasticache.amazonaws.com"
EC2 = "ec2.amazonaws.com"
MAX_BODY = 256 * 1024  # SQS's own message limit

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+=@-]{0,254}$")
_EVENT_ID = re.compile(r"^[A-Za-z0-9-]{8,80}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9._:/-]{1,64}$")
_SECRET_WORDS = ("token", "password", "secret", "credential")
_SHOWN_CHANGES = 8


class MalformedEvent(ValueError):
    """The message is not a CloudTrail API-call event we can act on; it goes to the DLQ."""


class LookupKind(StrEnum):
    """How to find what an event touched."""

    DIRECT = "direct"  # the event names the resource itself
    SECURITY_GROUP = "security_group"  # caches that use this EC2 security group
    USER = "user"  # the RBAC user, and caches whose user groups hold it
    USER_GROUP = "user_group"  # caches that use this user group
    GLOBAL_DATASTORE = "global_datastore"  # member replication groups in this region
    PARAMETER_GROUP = "parameter_group"  # caches that use this cache parameter group


class Lookup(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: LookupKind
    resource_id: str
    resource_kind: ResourceKind | None = None  # for DIRECT


class Actor(BaseModel):
    """Who made the call, as CloudTrail recorded it (never an access key)."""

    model_config = ConfigDict(frozen=True)

    arn: str = ""
    identity_type: str = ""
    issuer_arn: str = ""  # the role behind an assumed-role session
    issuer_name: str = ""
    session_name: str = ""
    invoked_by: str = ""  # an AWS service acting for the caller
    source_ip: str = ""
    user_agent: str = ""

    @property
    def display(self) -> str:
        """A short name for a message: role/session for assumed roles, else the ARN's tail."""
        if self.issuer_name:
            return (
                f"{self.issuer_name}/{self.session_name}" if self.session_name else self.issuer_name
            )
        if self.arn:
            return self.arn.rsplit(":", 1)[-1]
        return self.invoked_by or "an unknown caller"


class ApiCallEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: str
    event_name: str
    event_source: str
    event_time: datetime
    account: str
    region: str
    actor: Actor
    lookups: tuple[Lookup, ...]
    changes: tuple[str, ...] = ()  # "transitEncryptionEnabled=false", "authToken (supplied)"
    deletes: bool = False  # a Delete* call: the resource is expected to be gone

    @property
    def direct(self) -> tuple[Lookup, ...]:
        return tuple(lookup for lookup in self.lookups if lookup.kind is LookupKind.DIRECT)


# eventName -> (lookup kind, resource kind for DIRECT, requestParameters key)
_RG, _CC, _SL = (
    ResourceKind.REPLICATION_GROUP,
    ResourceKind.CACHE_CLUSTER,
    ResourceKind.SERVERLESS_CACHE,
)
_BY_NAME: Mapping[str, tuple[LookupKind, ResourceKind | None, str]] = {
    **{
        f"{verb}ReplicationGroup": (LookupKind.DIRECT, _RG, "replicationGroupId")
        for verb in ("Create", "Modify", "Delete")
    },
    "ModifyReplicationGroupShardConfiguration": (LookupKind.DIRECT, _RG, "replicationGroupId"),
    "IncreaseReplicaCount": (LookupKind.DIRECT, _RG, "replicationGroupId"),
    "DecreaseReplicaCount": (LookupKind.DIRECT, _RG, "replicationGroupId"),
    **{
        f"{verb}CacheCluster": (LookupKind.DIRECT, _CC, "cacheClusterId")
        for verb in ("Create", "Modify", "Delete")
    },
    **{
        f"{verb}ServerlessCache": (LookupKind.DIRECT, _SL, "serverlessCacheName")
        for verb in ("Create", "Modify", "Delete")
    },
    **{f"{verb}User": (LookupKind.USER, None, "userId") for verb in ("Create", "Modify", "Delete")},
    **{
        f"{verb}UserGroup": (LookupKind.USER_GROUP, None, "userGroupId")
        for verb in ("Create", "Modify", "Delete")
    },
    **{
        f"{verb}GlobalReplicationGroup": (
            LookupKind.GLOBAL_DATASTORE,
            None,
            "globalReplicationGroupId",
        )
        for verb in ("Create", "Modify", "Delete")
    },
    "ModifyCacheParameterGroup": (LookupKind.PARAMETER_GROUP, None, "cacheParameterGroupName"),
    "CopySnapshot": (LookupKind.DIRECT, ResourceKind.SNAPSHOT, "targetSnapshotName"),
    "ExportServerlessCacheSnapshot": (
        LookupKind.DIRECT,
        ResourceKind.SNAPSHOT,
        "serverlessCacheSnapshotName",
    ),
}
_EC2_NAMES = frozenset(
    {"AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress", "ModifySecurityGroupRules"}
)
_TAG_NAMES = frozenset({"AddTagsToResource", "RemoveTagsFromResource"})
_ARN_KINDS = {"replicationgroup": _RG, "cluster": _CC, "serverlesscache": _SL, "user": None}
_DELETE_KINDS = frozenset({_RG, _CC, _SL})

# What the EventBridge rule matches; the templates in deploy/alerts/ carry the same lists.
ELASTICACHE_EVENT_NAMES: tuple[str, ...] = tuple(sorted({*_BY_NAME, *_TAG_NAMES}))
EC2_EVENT_NAMES: tuple[str, ...] = tuple(sorted(_EC2_NAMES))


def event_patterns() -> tuple[dict[str, Any], dict[str, Any]]:
    """The two EventBridge patterns (ElastiCache calls, EC2 security group calls)."""

    def pattern(source: str, event_source: str, names: tuple[str, ...]) -> dict[str, Any]:
        return {
            "source": [source],
            "detail-type": [DETAIL_TYPE],
            "detail": {
                "eventSource": [event_source],
                "eventName": list(names),
                "errorCode": [{"exists": False}],
            },
        }

    return (
        pattern("aws.elasticache", ELASTICACHE, ELASTICACHE_EVENT_NAMES),
        pattern("aws.ec2", EC2, EC2_EVENT_NAMES),
    )


def parse_event(body: str | bytes) -> ApiCallEvent | None:
    """One SQS message body -> the event; None for a failed call (nothing changed).

    Raises MalformedEvent for anything else we cannot act on.
    """
    if len(body) > MAX_BODY:
        raise MalformedEvent("message is larger than an SQS message can be")
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedEvent(f"not JSON: {type(exc).__name__}") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("detail"), dict):
        raise MalformedEvent("no EventBridge envelope with a detail object")
    if envelope.get("detail-type") != DETAIL_TYPE:
        raise MalformedEvent("not an API call recorded by CloudTrail")
    detail: dict[str, Any] = envelope["detail"]
    if detail.get("errorCode"):
        return None
    name = _field(detail, "eventName", re.compile(r"^[A-Za-z]{3,80}$"))
    source = str(detail.get("eventSource", ""))
    if source not in (ELASTICACHE, EC2):
        raise MalformedEvent("event source is neither ElastiCache nor EC2")
    params = detail.get("requestParameters") or {}
    if not isinstance(params, dict):
        raise MalformedEvent("requestParameters is not an object")
    lookups = _lookups(source, name, params)
    return ApiCallEvent(
        event_id=_field(detail, "eventID", _EVENT_ID),
        event_name=name,
        event_source=source,
        event_time=_time(detail.get("eventTime")),
        account=_account(detail, envelope),
        region=_field(detail, "awsRegion", _REGION),
        actor=actor_of(detail),
        lookups=lookups,
        changes=describe_changes(params),
        deletes=name.startswith("Delete")
        and any(x.resource_kind in _DELETE_KINDS for x in lookups),
    )


def _field(detail: Mapping[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = detail.get(name)
    if not isinstance(value, str) or not pattern.match(value):
        raise MalformedEvent(f"missing or invalid {name}")
    return value


def _account(detail: Mapping[str, Any], envelope: Mapping[str, Any]) -> str:
    """recipientAccountId first: moto omits the envelope's `account`, forwarding keeps detail."""
    identity = _object(detail.get("userIdentity"))
    for value in (
        detail.get("recipientAccountId"),
        envelope.get("account"),
        identity.get("accountId"),
    ):
        if isinstance(value, str) and _ACCOUNT.match(value):
            return value
    raise MalformedEvent("missing or invalid recipientAccountId")


def _time(value: object) -> datetime:
    if not isinstance(value, str):
        raise MalformedEvent("missing eventTime")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedEvent("eventTime is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _lookups(source: str, name: str, params: Mapping[str, Any]) -> tuple[Lookup, ...]:
    if source == EC2:
        if name not in _EC2_NAMES:
            raise MalformedEvent(f"{name} is not a security group call we follow")
        return (Lookup(kind=LookupKind.SECURITY_GROUP, resource_id=_group_id(params)),)
    if name in _TAG_NAMES:
        return (_lookup_from_arn(params.get("resourceName")),)
    if name not in _BY_NAME:
        raise MalformedEvent(f"{name} is not an ElastiCache call we follow")
    kind, resource_kind, key = _BY_NAME[name]
    found = [Lookup(kind=kind, resource_kind=resource_kind, resource_id=_id(params.get(key), key))]
    group = params.get("replicationGroupId")
    if resource_kind is _CC and isinstance(group, str) and _ID.match(group):
        found.append(Lookup(kind=LookupKind.DIRECT, resource_kind=_RG, resource_id=group))
    return tuple(found)


def _id(value: object, key: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise MalformedEvent(f"requestParameters.{key} is missing or not an id")
    return value


def _group_id(params: Mapping[str, Any]) -> str:
    """EC2 records `groupId`, or nests the request (ModifySecurityGroupRulesRequest.GroupId)."""
    for value in (params.get("groupId"), params.get("GroupId")):
        if isinstance(value, str):
            return _id(value, "groupId")
    for nested in params.values():
        if isinstance(nested, dict):
            value = nested.get("GroupId") or nested.get("groupId")
            if isinstance(value, str):
                return _id(value, "GroupId")
    raise MalformedEvent("security group call without a group id")


def _lookup_from_arn(arn: object) -> Lookup:
    parts = arn.split(":", 6) if isinstance(arn, str) else []
    if len(parts) != 7 or parts[2] != "elasticache" or parts[5] not in _ARN_KINDS:
        raise MalformedEvent("tag call on something that is not a cache or user")
    kind = _ARN_KINDS[parts[5]]
    resource_id = _id(parts[6], "resourceName")
    if kind is None:
        return Lookup(kind=LookupKind.USER, resource_id=resource_id)
    return Lookup(kind=LookupKind.DIRECT, resource_kind=kind, resource_id=resource_id)


def actor_of(detail: Mapping[str, Any]) -> Actor:
    identity = _object(detail.get("userIdentity"))
    issuer = _object(_object(identity.get("sessionContext")).get("sessionIssuer"))
    arn = _short(identity.get("arn"), 512)
    session = arn.rsplit("/", 1)[-1] if identity.get("type") == "AssumedRole" and "/" in arn else ""
    return Actor(
        arn=arn,
        identity_type=_short(identity.get("type"), 40),
        issuer_arn=_short(issuer.get("arn"), 512),
        issuer_name=_short(issuer.get("userName"), 128),
        session_name=_short(session, 128),
        invoked_by=_short(identity.get("invokedBy"), 128),
        source_ip=_short(detail.get("sourceIPAddress"), 64),
        user_agent=_short(detail.get("userAgent"), 200),
    )


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _short(value: object, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch.isprintable())[:limit]


def describe_changes(params: Mapping[str, Any]) -> tuple[str, ...]:
    """Parameter names with safe values only; anything that may be a secret is "(supplied)"."""
    shown: list[str] = []
    for key in sorted(params):
        if len(shown) >= _SHOWN_CHANGES or not isinstance(key, str) or not _ID.match(key):
            continue
        value = params[key]
        if any(word in key.lower() for word in _SECRET_WORDS):
            shown.append(f"{key} (supplied)")
        elif isinstance(value, bool):
            shown.append(f"{key}={str(value).lower()}")
        elif isinstance(value, int) or (
            isinstance(value, str) and _SAFE_VALUE.match(value) and not key.endswith("Id")
        ):
            shown.append(f"{key}={value}")
        elif not key.endswith(("Id", "Name")):
            shown.append(f"{key} (set)")
    return tuple(shown)
