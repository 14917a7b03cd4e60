"""Account-wide detective facts: CloudTrail coverage (per region) and broad IAM grants (once)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from functools import partial
from typing import Any
from urllib.parse import unquote

from posture.resources import CollectionError, IamPolicyFact, Trail
from workers.aws.context import RegionContext, paginate
from workers.aws.errors import AWS_FAILURES, to_collection_error

ELASTICACHE_EVENT_SOURCE = "elasticache.amazonaws.com"
# A wildcard action is broad when it grants the calls that change a cache's security.
SAMPLE_SENSITIVE_ACTIONS = ("elasticache:modifyreplicationgroup", "elasticache:modifyuser")

TrailFacts = tuple[bool, bool, tuple[CollectionError, ...]]


def trails(ctx: RegionContext) -> tuple[tuple[Trail, ...], tuple[CollectionError, ...]]:
    """Trails that can cover this region (shadow copies of multi-region trails included)."""
    listed = ctx.client("cloudtrail").describe_trails(includeShadowTrails=True)["trailList"]
    found: list[Trail] = []
    errors: list[CollectionError] = []
    for item in listed:
        trail_id = item.get("TrailARN") or item["Name"]
        home = item.get("HomeRegion") or ctx.region
        is_logging, records, trail_errors = ctx.cache.get_or_compute(
            ("trail", ctx.account.account_id, trail_id),
            partial(_trail_facts, ctx, trail_id, home),
        )
        errors.extend(trail_errors)
        found.append(
            Trail.model_validate(
                {**item, "IsLogging": is_logging, "RecordsManagementEvents": records}
            )
        )
    return tuple(found), tuple(errors)


def _trail_facts(ctx: RegionContext, trail_id: str, home_region: str) -> TrailFacts:
    """Status and selectors, asked of the trail's home region (shadow trails live elsewhere)."""
    cloudtrail = ctx.client("cloudtrail", home_region)
    errors: list[CollectionError] = []
    is_logging = records = False
    try:
        is_logging = bool(cloudtrail.get_trail_status(Name=trail_id).get("IsLogging"))
    except AWS_FAILURES as exc:
        errors.append(to_collection_error(exc, "GetTrailStatus", "account_region"))
    try:
        records = records_management_events(cloudtrail.get_event_selectors(TrailName=trail_id))
    except AWS_FAILURES as exc:
        errors.append(to_collection_error(exc, "GetEventSelectors", "account_region"))
    return is_logging, records, tuple(errors)


def records_management_events(selectors: Mapping[str, Any]) -> bool:
    """True when basic or advanced selectors record write management events from ElastiCache."""
    for selector in selectors.get("EventSelectors") or []:
        if selector.get("IncludeManagementEvents", True) and selector.get(
            "ReadWriteType", "All"
        ) in ("All", "WriteOnly"):
            return True
    return any(
        _advanced_selector_records(selector.get("FieldSelectors") or [])
        for selector in selectors.get("AdvancedEventSelectors") or []
    )


def _advanced_selector_records(field_selectors: Iterable[Mapping[str, Any]]) -> bool:
    by_field = {selector["Field"]: selector for selector in field_selectors}
    category = by_field.get("eventCategory", {})
    if "Management" not in (category.get("Equals") or []):
        return False
    if (by_field.get("readOnly", {}).get("Equals") or []) == ["true"]:
        return False  # read-only events miss every modify call
    source = by_field.get("eventSource", {})
    if source.get("Equals") and ELASTICACHE_EVENT_SOURCE not in source["Equals"]:
        return False
    return ELASTICACHE_EVENT_SOURCE not in (source.get("NotEquals") or [])


def iam_policy_facts(ctx: RegionContext) -> tuple[IamPolicyFact, ...]:
    """Attached customer-managed policies that allow broad ElastiCache actions on `*`."""
    iam = ctx.client("iam")
    facts: list[IamPolicyFact] = []
    for policy in paginate(iam, "list_policies", "Policies", Scope="Local", OnlyAttached=True):
        version = iam.get_policy_version(
            PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"]
        )["PolicyVersion"]
        actions = broad_actions(_document(version["Document"]))
        if not actions:
            continue
        facts.append(
            IamPolicyFact(
                policy_arn=policy["Arn"],
                policy_name=policy.get("PolicyName"),
                attached_to=attached_principals(iam, policy["Arn"]),
                allows_broad_elasticache=True,
                broad_actions=actions,
            )
        )
    return tuple(facts)


def _document(raw: Any) -> dict[str, Any]:
    """botocore usually decodes policy documents; older paths hand back URL-encoded JSON."""
    if isinstance(raw, str):
        decoded: dict[str, Any] = json.loads(unquote(raw))
        return decoded
    return dict(raw)


def broad_actions(document: Mapping[str, Any]) -> tuple[str, ...]:
    """Wildcard actions of Allow statements on Resource `*` that reach ElastiCache modify calls."""
    statements = document.get("Statement") or []
    if isinstance(statements, Mapping):
        statements = [statements]
    found: list[str] = []
    for statement in statements:
        if statement.get("Effect") != "Allow" or "*" not in _as_list(statement.get("Resource")):
            continue
        found.extend(a for a in _as_list(statement.get("Action")) if _is_broad(a))
    return tuple(dict.fromkeys(found))


def _is_broad(action: str) -> bool:
    pattern = action.lower()
    return "*" in pattern and any(fnmatchcase(a, pattern) for a in SAMPLE_SENSITIVE_ACTIONS)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def attached_principals(iam: Any, policy_arn: str) -> tuple[str, ...]:
    """`role/Name`, `user/Name`, `group/Name` for every principal the policy is attached to."""
    principals: list[str] = []
    for page in iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=policy_arn):
        principals.extend(f"group/{g['GroupName']}" for g in page.get("PolicyGroups", []))
        principals.extend(f"user/{u['UserName']}" for u in page.get("PolicyUsers", []))
        principals.extend(f"role/{r['RoleName']}" for r in page.get("PolicyRoles", []))
    return tuple(principals)
