"""Finding a standalone Redis OSS / Valkey cluster whose AUTH token can rotate.

A cache cluster outside any replication group takes its AUTH token on ModifyCacheCluster
with the same AuthToken and AuthTokenUpdateStrategy (ROTATE, SET) as a group:
https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyCacheCluster.html
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html
So it rotates through the same steps, keyed by kind (`cache_cluster`) and id.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from posture.resources import CacheCluster
from posture.rotation import GroupView
from posture.rotation_plan import ROTATABLE_ENGINES
from workers.aws.auth_tokens import TokenCallError, describe_cluster
from workers.aws.session import AccountSession


@dataclass(frozen=True)
class StandaloneFound:
    session: AccountSession
    region: str
    cluster: CacheCluster
    view: GroupView

    @property
    def cluster_id(self) -> str:
        return self.cluster.cache_cluster_id


def find_standalone(
    sessions: list[AccountSession], regions: list[str], name: str
) -> list[StandaloneFound]:
    """Standalone Redis OSS or Valkey clusters called `name` (members of a group are not)."""
    found = []
    for session in sessions:
        boto = session.new_session()
        for region in regions:
            client = session.client(boto, "elasticache", region)
            with contextlib.suppress(TokenCallError):  # unreachable region: not found there
                described = describe_cluster(client, name)
                if described and described[0].engine.lower() in ROTATABLE_ENGINES:
                    found.append(StandaloneFound(session, region, *described))
    return found
