"""The resource a plan is about, with the lookups every planner needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from posture.base import ResourceKind
from posture.policy import OrgPolicy
from posture.remediation.model import ApiCall, FixPlan, PlanKind, Runbook, fingerprint
from posture.resources import CacheCluster, Inventory, ReplicationGroup, ServerlessCache
from posture.rules.context import RuleContext
from posture.rules.facts import CacheResource, describe, engine_version, resource_name

# The parameter that names each kind of resource in its modify call.
ID_PARAMS = {
    ResourceKind.REPLICATION_GROUP: "ReplicationGroupId",
    ResourceKind.CACHE_CLUSTER: "CacheClusterId",
    ResourceKind.SERVERLESS_CACHE: "ServerlessCacheName",
}
MODIFY_OPERATIONS = {
    ResourceKind.REPLICATION_GROUP: "ModifyReplicationGroup",
    ResourceKind.CACHE_CLUSTER: "ModifyCacheCluster",
    ResourceKind.SERVERLESS_CACHE: "ModifyServerlessCache",
}


def kind_of(resource: CacheResource) -> ResourceKind:
    if isinstance(resource, ReplicationGroup):
        return ResourceKind.REPLICATION_GROUP
    if isinstance(resource, CacheCluster):
        return ResourceKind.CACHE_CLUSTER
    return ResourceKind.SERVERLESS_CACHE


def find_resource(
    inventory: Inventory, kind: ResourceKind, resource_id: str
) -> CacheResource | None:
    """The cache a finding names; member clusters of a group are not fix targets."""
    candidates: tuple[CacheResource, ...] = ()
    if kind is ResourceKind.REPLICATION_GROUP:
        candidates = inventory.replication_groups
    elif kind is ResourceKind.CACHE_CLUSTER:
        candidates = tuple(c for c in inventory.cache_clusters if not c.replication_group_id)
    elif kind is ResourceKind.SERVERLESS_CACHE:
        candidates = inventory.serverless_caches
    return next((r for r in candidates if resource_name(r) == resource_id), None)


@dataclass(frozen=True)
class Target:
    """One failing rule on one cache, as read from one inventory."""

    rule_id: str
    resource: CacheResource
    ctx: RuleContext

    @property
    def kind(self) -> ResourceKind:
        return kind_of(self.resource)

    @property
    def resource_id(self) -> str:
        return resource_name(self.resource)

    @property
    def subject(self) -> str:
        return describe(self.resource, self.ctx)

    @property
    def policy(self) -> OrgPolicy:
        return self.ctx.policy

    @property
    def region(self) -> str:
        return self.ctx.inventory.region

    @property
    def engine(self) -> str:
        return self.resource.engine.lower()

    @property
    def version(self) -> str | None:
        return engine_version(self.resource, self.ctx)

    def modify(self, **params: object) -> ApiCall:
        """The kind's modify call on this resource; node-based changes apply now, not at the window."""
        body: dict[str, object] = {ID_PARAMS[self.kind]: self.resource_id, **params}
        if self.kind is not ResourceKind.SERVERLESS_CACHE:
            body["ApplyImmediately"] = True
        return ApiCall(service="elasticache", operation=MODIFY_OPERATIONS[self.kind], params=body)

    def plan(
        self,
        kind: PlanKind,
        change: str,
        *,
        state: Mapping[str, object],
        calls: tuple[ApiCall, ...] = (),
        risk: str = "",
        backout: str = "",
        reason: str = "",
        next_step: str = "",
        runbook: Runbook | None = None,
        warning: str = "",
    ) -> FixPlan:
        return FixPlan(
            rule_id=self.rule_id,
            resource_kind=self.kind,
            resource_id=self.resource_id,
            account=self.ctx.inventory.account,
            region=self.region,
            kind=kind,
            change=change,
            calls=calls,
            risk=risk,
            backout=backout,
            reason=reason,
            next_step=next_step,
            runbook=runbook,
            warning=warning,
            fingerprint=fingerprint({"rule": self.rule_id, "id": self.resource_id, **state}),
        )

    def blocked(self, reason: str, *, state: Mapping[str, object] | None = None) -> FixPlan:
        return self.plan(
            PlanKind.BLOCKED,
            f"No change can be made to {self.subject} yet.",
            state=state or {},
            reason=reason,
        )


def serverless(resource: CacheResource) -> bool:
    return isinstance(resource, ServerlessCache)
