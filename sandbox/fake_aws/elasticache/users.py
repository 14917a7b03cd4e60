"""RBAC users: create, modify, describe, delete, with the password rules AWS applies."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult

from sandbox.fake_aws.elasticache.auth import MAX_LENGTH, MIN_LENGTH, MODIFY_FORBIDDEN
from sandbox.fake_aws.elasticache.context import params_of, store_for, tag
from sandbox.fake_aws.elasticache.errors import (
    ElastiCacheError,
    already_exists,
    invalid_combination,
    invalid_value,
    not_found,
)
from sandbox.fake_aws.elasticache.paging import page
from sandbox.fake_aws.elasticache.records import UserRecord
from sandbox.fake_aws.elasticache.render_other import render_user
from sandbox.fake_aws.elasticache.store import ElastiCacheStore
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult

MAX_PASSWORDS = 2
USER_ENGINES = ("redis", "valkey")
MODE_TYPES = {"password": "password", "no-password-required": "no-password", "iam": "iam"}


def _check_passwords(passwords: list[str]) -> None:
    if len(passwords) > MAX_PASSWORDS:
        raise invalid_value("A user can have at most two passwords.")
    for password in passwords:
        if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
            raise invalid_value("Passwords length must be between 16-128 characters.")
        if any(ch in MODIFY_FORBIDDEN or not 0x21 <= ord(ch) < 0x7F for ch in password):
            raise invalid_value('Passwords must be printable ASCII without / " @ or %.')


def resolve_authentication(params: dict[str, Any]) -> tuple[str, list[str]] | None:
    """(Authentication.Type, passwords) the request asks for, or None when it asks nothing."""
    passwords = list(params.get("Passwords") or [])
    no_password = params.get("NoPasswordRequired")
    mode = params.get("AuthenticationMode") or {}
    if mode:
        if passwords:
            raise invalid_combination("Passwords provided via multiple arguments. Use only one.")
        kind = MODE_TYPES.get(mode.get("Type", ""))
        if kind is None:
            raise invalid_value(f"Invalid AuthenticationMode Type: {mode.get('Type')}.")
        passwords = list(mode.get("Passwords") or [])
    elif no_password:
        kind = "no-password"
    elif passwords:
        kind = "password"
    else:
        return None
    if no_password and passwords:
        raise invalid_combination("NoPasswordRequired can't be combined with Passwords.")
    if kind == "password" and not passwords:
        raise invalid_value("A password user needs at least one password.")
    if kind != "password" and passwords:
        raise invalid_combination(f"Passwords are not allowed with authentication type {kind}.")
    _check_passwords(passwords)
    return kind, passwords


def _check_engine(engine: str | None) -> str:
    engine = (engine or "").lower()
    if engine not in USER_ENGINES:
        raise invalid_value(f'Unknown Engine "{engine}"; use redis or valkey.')
    return engine


def create_user(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        user_id = params["UserId"]
        if user_id in store.users:
            raise already_exists("UserAlreadyExists", f"User {user_id}")
        authentication = resolve_authentication(params)
        if authentication is None:
            raise invalid_value(
                "No password was provided. To create a user without a password, "
                "use the NoPasswordRequired flag."
            )
        kind, passwords = authentication
        if kind == "iam" and params["UserName"] != user_id:
            raise invalid_value("An IAM-authenticated user needs UserName equal to UserId.")
        user = UserRecord(
            user_id=user_id,
            user_name=params["UserName"],
            arn=store.arn("user", user_id),
            engine=_check_engine(params.get("Engine")),
            access_string=params.get("AccessString") or "off",
            authentication_type=kind,
            passwords=passwords,
        )
        store.users[user_id] = user
        tag(store, user.arn, params.get("Tags"))
        return QueryXmlResult(render_user(store, user))


def find_user(store: ElastiCacheStore, user_id: str) -> UserRecord:
    user = store.users.get(user_id)
    if user is None:
        raise not_found("UserNotFound", f"User {user_id}")
    return user


def modify_user_record(user: UserRecord, params: dict[str, Any]) -> None:
    if user.user_id == "default":
        raise invalid_value(
            "The built-in default user can't be modified; create a user named default instead."
        )
    if params.get("AccessString") and params.get("AppendAccessString"):
        raise invalid_combination("Use either AccessString or AppendAccessString.")
    authentication = resolve_authentication(params)
    if params.get("NoPasswordRequired") is False and authentication is None:
        raise invalid_value("Turning NoPasswordRequired off needs Passwords.")
    if params.get("Engine"):
        user.engine = _check_engine(params["Engine"])
    if params.get("AccessString"):
        user.access_string = params["AccessString"]
    if params.get("AppendAccessString"):
        user.access_string = f"{user.access_string} {params['AppendAccessString']}"
    if authentication is not None:
        user.authentication_type, user.passwords = authentication


def modify_user(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        user = find_user(store, params["UserId"])
        modify_user_record(user, params)
        return QueryXmlResult(render_user(store, user))


def describe_users(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        if params.get("UserId"):
            users = [find_user(store, params["UserId"])]
        else:
            users = list(store.users.values())
        if params.get("Engine"):
            users = [u for u in users if u.engine == params["Engine"].lower()]
        selected, marker = page(users, params.get("MaxRecords"), params.get("Marker"))
        rendered = [render_user(store, user) for user in selected]
    result: dict[str, Any] = {"Users": rendered}
    if marker:
        result["Marker"] = marker
    return QueryXmlResult(result)


def delete_user(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        user = find_user(store, params["UserId"])
        if user.user_id == "default":
            raise ElastiCacheError(
                "InvalidUserState", "The built-in default user can't be deleted."
            )
        rendered = render_user(store, user)
        for group in store.user_groups.values():
            if user.user_id in group.user_ids:
                group.user_ids.remove(user.user_id)
        del store.users[user.user_id]
    rendered["Status"] = "deleting"
    return QueryXmlResult(rendered)
