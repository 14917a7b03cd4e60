"""Serverless Valkey and Redis OSS caches: their users' passwords rotate, never a token.

A serverless cache authenticates only through RBAC: one user group (`UserGroupId`) whose
password users are rotated exactly as a replication group's RBAC users are (both passwords
valid, then only the new one; the new one in Secrets Manager as AWSPENDING until AWS has
it, then AWSCURRENT). The steps act on the users alone (`ModifyUser`, `DescribeUsers`),
so the same `RBAC_STEPS` drive both; only finding the cache and its users differs here.

Facts: serverless caches use RBAC only, through a user group
(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html);
`ModifyUser` replaces a user's password list, at most two passwords
(https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyUser.html).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from posture.rotation_plan import ROTATABLE_ENGINES
from workers.aws.errors import AWS_FAILURES
from workers.aws.session import AccountSession

SERVERLESS = "serverless_cache"


@dataclass(frozen=True)
class ServerlessFound:
    session: AccountSession
    region: str
    name: str
    engine: str
    user_group_id: str


def find_serverless(
    sessions: list[AccountSession], regions: list[str], name: str
) -> list[ServerlessFound]:
    """Serverless Valkey or Redis OSS caches called `name` that have a user group."""
    found = []
    for session in sessions:
        boto = session.new_session()
        for region in regions:
            client = session.client(boto, "elasticache", region)
            with contextlib.suppress(*AWS_FAILURES):  # ServerlessCacheNotFoundFault
                answer = client.describe_serverless_caches(ServerlessCacheName=name)
                for cache in answer.get("ServerlessCaches") or []:
                    engine = str(cache.get("Engine", "")).lower()
                    group = str(cache.get("UserGroupId") or "")
                    if engine in ROTATABLE_ENGINES and group:
                        found.append(ServerlessFound(session, region, name, engine, group))
    return found
