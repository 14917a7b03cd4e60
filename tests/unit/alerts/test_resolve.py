"""Which resources an event reaches, and pending values read as applied (literal snapshots)."""

from __future__ import annotations

from posture.alerts import Lookup, LookupKind, parse_event
from posture.base import ResourceKind
from posture.resources import CacheCluster, Inventory, ReplicationGroup, UserGroup
from tests.unit.alerts.events import envelope
from workers.alerts.resolve import affected_by, filters_for, with_pending_values


def _inventory() -> Inventory:
    return Inventory.model_validate(
        {
            "account": "123456789012",
            "region": "eu-west-1",
            "replication_groups": [
                ReplicationGroup.model_validate({
                    "ReplicationGroupId": "orders", "Status": "modifying",
                    "TransitEncryptionEnabled": True, "UserGroupIds": ["app-users"],
                    "PendingModifiedValues": {"TransitEncryptionEnabled": False},
                }),
                ReplicationGroup.model_validate({"ReplicationGroupId": "billing"}),
            ],
            "cache_clusters": [
                CacheCluster.model_validate({
                    "CacheClusterId": "orders-001", "Engine": "redis", "ReplicationGroupId": "orders",
                    "SecurityGroups": [{"SecurityGroupId": "sg-1"}],
                }),
                CacheCluster.model_validate({
                    "CacheClusterId": "billing-001", "Engine": "redis", "ReplicationGroupId": "billing",
                    "SecurityGroups": [{"SecurityGroupId": "sg-2"}],
                }),
            ],
            "user_groups": [UserGroup.model_validate({"UserGroupId": "app-users", "UserIds": ["app", "default"]})],
        }
    )  # fmt: skip


def test_pending_tls_values_are_evaluated_as_applied_and_flag_a_recheck() -> None:
    inventory, modifying = with_pending_values(_inventory())
    assert modifying
    orders = next(g for g in inventory.replication_groups if g.replication_group_id == "orders")
    assert orders.transit_encryption_enabled is False


def test_a_security_group_user_or_user_group_reaches_the_caches_that_use_it() -> None:
    inventory = _inventory()
    by_sg = affected_by(Lookup(kind=LookupKind.SECURITY_GROUP, resource_id="sg-1"), inventory)
    assert by_sg == {("cache_cluster", "orders-001"), ("replication_group", "orders")}
    by_user = affected_by(Lookup(kind=LookupKind.USER, resource_id="default"), inventory)
    assert by_user == {
        ("user", "default"),
        ("replication_group", "orders"),
        ("cache_cluster", "orders-001"),
    }
    by_group = affected_by(Lookup(kind=LookupKind.USER_GROUP, resource_id="other"), inventory)
    assert by_group == set()
    direct = Lookup(
        kind=LookupKind.DIRECT, resource_kind=ResourceKind.REPLICATION_GROUP, resource_id="billing"
    )
    assert affected_by(direct, inventory) == {
        ("replication_group", "billing"),
        ("cache_cluster", "billing-001"),
    }


def test_a_call_naming_a_cache_narrows_the_collection_to_it() -> None:
    named = parse_event(envelope("ModifyReplicationGroup", {"replicationGroupId": "orders"}))
    edited = parse_event(envelope("ModifyUserGroup", {"userGroupId": "app-users"}))
    assert named is not None and edited is not None
    assert filters_for(named).replication_group_id == "orders"
    assert filters_for(edited).is_empty


def test_a_parameter_group_edit_reaches_only_the_caches_that_use_it() -> None:
    inventory = _inventory()
    member = inventory.cache_clusters[0].model_copy(
        update={"cache_parameter_group": {"CacheParameterGroupName": "strict-pg"}}
    )
    inventory = inventory.model_copy(
        update={"cache_clusters": (member, inventory.cache_clusters[1])}
    )
    lookup = Lookup(kind=LookupKind.PARAMETER_GROUP, resource_id="strict-pg")
    assert affected_by(lookup, inventory) == {
        ("cache_cluster", "orders-001"),
        ("replication_group", "orders"),
    }
