"""Names that are caches but not replication groups get a clear answer with the reason:
Memcached has no password, a serverless cache without a user group has none either, a
serverless cache whose users all lack a password (or use IAM) has none to rotate. No request is posted for any of them."""

from __future__ import annotations

import json

import pytest

from sandbox.stack import Stack
from tests.integration.rotation.flow import CHANNEL, REQUESTER, aws_client, unique, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rotation-stack")]


def _answer_for(stack: Stack, name: str, words: str) -> str:
    before = len(stack.emulator.messages(CHANNEL))
    stack.signed_client().command(
        "/cache-rotate-token", name, user_id=REQUESTER, channel_id=CHANNEL
    )
    found = wait_for(
        lambda: [
            json.dumps(e) for e in stack.emulator.ephemerals(CHANNEL, REQUESTER)
            if name in json.dumps(e) and words in json.dumps(e)
        ],
        what=f"the answer for {name}",
    )  # fmt: skip
    assert not [m for m in stack.emulator.messages(CHANNEL)[before:] if name in json.dumps(m)]
    return str(found[-1])


def test_memcached_and_serverless_caches_get_the_reason(stack: Stack) -> None:
    ec = aws_client(stack, "elasticache")
    memcached = unique("mc")
    ec.create_cache_cluster(CacheClusterId=memcached, Engine="memcached",
                            CacheNodeType="cache.t4g.small", NumCacheNodes=1)  # fmt: skip
    assert "no password to rotate" in _answer_for(stack, memcached, "Memcached")

    bare = unique("sv")
    ec.create_serverless_cache(ServerlessCacheName=bare, Engine="valkey")
    assert "CW-202" in _answer_for(stack, bare, "without a user group")

    user_group = unique("ug")
    ec.create_user_group(UserGroupId=user_group, Engine="valkey", UserIds=["default"])
    grouped = unique("sv")
    ec.create_serverless_cache(ServerlessCacheName=grouped, Engine="valkey", UserGroupId=user_group)
    answer = _answer_for(stack, grouped, "can have its password rotated")
    assert "default: authenticates with no-password" in answer

    iam_user, iam_group = unique("iam"), unique("ug")
    ec.create_user(UserId=iam_user, UserName=iam_user, Engine="valkey",
                   AccessString="on ~* +@all", AuthenticationMode={"Type": "iam"})  # fmt: skip
    ec.create_user_group(UserGroupId=iam_group, Engine="valkey", UserIds=["default", iam_user])
    with_iam = unique("sv")
    ec.create_serverless_cache(ServerlessCacheName=with_iam, Engine="valkey", UserGroupId=iam_group)
    assert f"{iam_user}: authenticates with iam" in _answer_for(
        stack, with_iam, "authenticates with iam"
    )
