"""Per-resource agreement between cachewarden findings and Prowler's json-ocsf output.

Pure functions over parsed JSON, so they are unit-tested with literal records. A
verdict is comparable only when both sides said PASS or FAIL: Prowler's MANUAL and our
not_applicable / error / suppressed are counted, never compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Prowler checks that report per cache node, not per replication group.
NODE_LEVEL_CHECKS = frozenset({"elasticache_cluster_uses_public_subnet"})
COMPARABLE = frozenset({"pass", "fail"})
REPLICATION_GROUP, CACHE_CLUSTER = "replication_group", "cache_cluster"
_ARN_KINDS = {"replicationgroup": REPLICATION_GROUP, "cluster": CACHE_CLUSTER}

# (account, region, resource kind, resource id)
ResourceKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class Verdict:
    status: str  # lower case: pass, fail, manual, not_applicable, error, ...
    detail: str = ""


def prowler_check_ids() -> dict[str, str]:
    """Prowler check id -> our rule id, from each rule's `aliases[Framework.PROWLER]`."""
    from posture.catalog import Framework, all_rules

    mapping: dict[str, str] = {}
    for rule in all_rules():
        for check in rule.aliases.get(Framework.PROWLER, ()):
            mapping[check] = rule.id
    return mapping


def parse_arn(arn: str) -> ResourceKey | None:
    """`arn:aws:elasticache:<region>:<account>:<kind>:<id>` -> key, or None for other ARNs."""
    parts = arn.split(":")
    if len(parts) != 7 or parts[2] != "elasticache" or parts[5] not in _ARN_KINDS:
        return None
    return (parts[4], parts[3], _ARN_KINDS[parts[5]], parts[6])


def prowler_verdicts(records: Iterable[Mapping[str, Any]]) -> dict[str, dict[ResourceKey, Verdict]]:
    """check id -> resource -> verdict, from json-ocsf detection findings."""
    verdicts: dict[str, dict[ResourceKey, Verdict]] = {}
    for record in records:
        check = str(record["metadata"]["event_code"])
        for resource in record.get("resources", []):
            key = parse_arn(str(resource.get("uid", "")))
            if key is None:
                continue
            verdict = Verdict(
                str(record["status_code"]).lower(), str(record.get("status_detail", ""))
            )
            verdicts.setdefault(check, {})[key] = verdict
    return verdicts


def our_verdicts(
    findings: Iterable[Mapping[str, Any]],
    checks: Mapping[str, str],
    members: Mapping[ResourceKey, tuple[str, ...]],
) -> dict[str, dict[ResourceKey, Verdict]]:
    """check id -> resource -> our verdict, at the granularity Prowler reports.

    For node-level checks a replication group's verdict is given to each member cluster
    (`members` maps a group's key to its member cluster ids).
    """
    rules_to_checks: dict[str, list[str]] = {}
    for check, rule in checks.items():
        rules_to_checks.setdefault(rule, []).append(check)
    verdicts: dict[str, dict[ResourceKey, Verdict]] = {}
    for finding in findings:
        key: ResourceKey = (
            str(finding["account"]),
            str(finding["region"]),
            str(finding["resource_kind"]),
            str(finding["resource_id"]),
        )
        verdict = Verdict(str(finding["status"]), str(finding.get("evidence", "")))
        for check in rules_to_checks.get(str(finding["rule_id"]), []):
            for target in _targets(check, key, members):
                verdicts.setdefault(check, {})[target] = verdict
    return verdicts


def failing_rules(findings: Iterable[Mapping[str, Any]]) -> dict[ResourceKey, list[str]]:
    """Every rule we fail each resource on: a disagreement may be a rule split differently."""
    failing: dict[ResourceKey, list[str]] = {}
    for finding in findings:
        if finding["status"] == "fail":
            key = (
                str(finding["account"]),
                str(finding["region"]),
                str(finding["resource_kind"]),
                str(finding["resource_id"]),
            )
            failing.setdefault(key, []).append(str(finding["rule_id"]))
    return {key: sorted(rules) for key, rules in failing.items()}


def _targets(
    check: str, key: ResourceKey, members: Mapping[ResourceKey, tuple[str, ...]]
) -> list[ResourceKey]:
    if check not in NODE_LEVEL_CHECKS or key[2] != REPLICATION_GROUP:
        return [key]
    account, region, _, _ = key
    return [(account, region, CACHE_CLUSTER, member) for member in members.get(key, ())]


@dataclass(frozen=True)
class Disagreement:
    check: str
    resource: ResourceKey
    ours: Verdict
    prowler: Verdict


@dataclass
class CheckAgreement:
    """How one shared check compares; `compared` counts PASS/FAIL on both sides."""

    check: str
    rule_id: str
    compared: int = 0
    agreed: int = 0
    prowler_manual: int = 0
    ours_not_comparable: int = 0
    only_ours: int = 0
    only_prowler: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def agreement(self) -> float | None:
        return None if self.compared == 0 else self.agreed / self.compared

    def summary(self, failing: Mapping[ResourceKey, list[str]] | None = None) -> dict[str, Any]:
        """JSON-ready; `failing` adds the rules we fail each disagreeing resource on."""
        failing = failing or {}
        return {
            "check": self.check,
            "rule_id": self.rule_id,
            "compared": self.compared,
            "agreed": self.agreed,
            "agreement": self.agreement,
            "prowler_manual": self.prowler_manual,
            "ours_not_comparable": self.ours_not_comparable,
            "only_cachewarden": self.only_ours,
            "only_prowler": self.only_prowler,
            "disagreements": [
                {
                    "resource": "/".join(d.resource),
                    "cachewarden": d.ours.status,
                    "prowler": d.prowler.status,
                    "cachewarden_evidence": d.ours.detail,
                    "prowler_detail": d.prowler.detail,
                    "cachewarden_fails": failing.get(d.resource, []),
                }
                for d in self.disagreements
            ],
        }


def compare_check(
    check: str,
    rule_id: str,
    ours: Mapping[ResourceKey, Verdict],
    theirs: Mapping[ResourceKey, Verdict],
) -> CheckAgreement:
    result = CheckAgreement(check=check, rule_id=rule_id)
    for key in sorted(set(ours) | set(theirs)):
        mine, other = ours.get(key), theirs.get(key)
        if mine is None:
            result.only_prowler += 1
        elif other is None:
            result.only_ours += 1
        elif other.status == "manual":
            result.prowler_manual += 1
        elif mine.status not in COMPARABLE:
            result.ours_not_comparable += 1
        elif other.status not in COMPARABLE:
            result.only_ours += 1  # a Prowler status we do not know is not a verdict
        else:
            result.compared += 1
            if mine.status == other.status:
                result.agreed += 1
            else:
                result.disagreements.append(Disagreement(check, key, mine, other))
    return result


def compare_all(
    checks: Mapping[str, str],
    ours: Mapping[str, Mapping[ResourceKey, Verdict]],
    theirs: Mapping[str, Mapping[ResourceKey, Verdict]],
) -> list[CheckAgreement]:
    """One CheckAgreement per shared check, in check id order."""
    return [
        compare_check(check, checks[check], ours.get(check, {}), theirs.get(check, {}))
        for check in sorted(checks)
    ]
