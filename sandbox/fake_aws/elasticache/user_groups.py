"""RBAC user groups: a Redis OSS group must hold a user named `default`."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult

from sandbox.fake_aws.elasticache.context import params_of, store_for, tag
from sandbox.fake_aws.elasticache.errors import (
    ElastiCacheError,
    already_exists,
    invalid_value,
    not_found,
)
from sandbox.fake_aws.elasticache.paging import page
from sandbox.fake_aws.elasticache.records import UserGroupRecord
from sandbox.fake_aws.elasticache.render_other import render_user_group
from sandbox.fake_aws.elasticache.store import ElastiCacheStore
from sandbox.fake_aws.elasticache.users import USER_ENGINES, find_user
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult


def check_members(store: ElastiCacheStore, engine: str, user_ids: list[str]) -> None:
    names = [find_user(store, user_id).user_name for user_id in user_ids]
    if len(names) != len(set(names)):
        raise ElastiCacheError("DuplicateUserName", "Two users in the group share a user name.")
    if engine == "redis" and "default" not in names:
        raise ElastiCacheError(
            "DefaultUserRequired", "A Redis OSS user group must contain a user named default."
        )


def create_user_group(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        group_id = params["UserGroupId"]
        if group_id in store.user_groups:
            raise already_exists("UserGroupAlreadyExists", f"User group {group_id}")
        engine = (params.get("Engine") or "").lower()
        if engine not in USER_ENGINES:
            raise invalid_value(f'Unknown Engine "{engine}"; use redis or valkey.')
        user_ids = list(dict.fromkeys(params.get("UserIds") or []))
        check_members(store, engine, user_ids)
        group = UserGroupRecord(
            user_group_id=group_id,
            arn=store.arn("usergroup", group_id),
            engine=engine,
            user_ids=user_ids,
        )
        store.user_groups[group_id] = group
        tag(store, group.arn, params.get("Tags"))
        return QueryXmlResult(render_user_group(store, group))


def find_user_group(store: ElastiCacheStore, group_id: str) -> UserGroupRecord:
    group = store.user_groups.get(group_id)
    if group is None:
        raise not_found("UserGroupNotFound", f"User group {group_id}")
    return group


def modify_user_group(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        group = find_user_group(store, params["UserGroupId"])
        to_add = list(params.get("UserIdsToAdd") or [])
        to_remove = list(params.get("UserIdsToRemove") or [])
        for user_id in to_remove:
            if user_id not in group.user_ids:
                raise invalid_value(f"User {user_id} is not in user group {group.user_group_id}.")
        after = [u for u in group.user_ids if u not in to_remove]
        after += [u for u in to_add if u not in after]
        check_members(store, group.engine, after)
        group.user_ids = after
        return QueryXmlResult(render_user_group(store, group))


def describe_user_groups(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        if params.get("UserGroupId"):
            groups = [find_user_group(store, params["UserGroupId"])]
        else:
            groups = list(store.user_groups.values())
        selected, marker = page(groups, params.get("MaxRecords"), params.get("Marker"))
        rendered = [render_user_group(store, group) for group in selected]
    result: dict[str, Any] = {"UserGroups": rendered}
    if marker:
        result["Marker"] = marker
    return QueryXmlResult(result)


def delete_user_group(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        group = find_user_group(store, params["UserGroupId"])
        rendered = render_user_group(store, group)
        if rendered["ReplicationGroups"] or rendered["ServerlessCaches"]:
            raise ElastiCacheError(
                "InvalidUserGroupState", f"User group {group.user_group_id} is in use."
            )
        del store.user_groups[group.user_group_id]
    rendered["Status"] = "deleting"
    return QueryXmlResult(rendered)
