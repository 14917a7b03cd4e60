"""What part of a region a scan looks at: ids narrow the AWS calls, tags and engine narrow after."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from posture.base import Engine
from posture.resources import CacheCluster, ReplicationGroup, ServerlessCache, TaggedResource


class ScanFilters(BaseModel):
    """Every field is optional; an empty filter scans everything, account-level facts included."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    replication_group_id: str | None = None
    cache_cluster_id: str | None = None
    serverless_cache_name: str | None = None
    tag_key: str | None = None
    tag_value: str | None = None
    engine: Engine | None = None

    @property
    def narrowed_by_id(self) -> bool:
        """An id was given, so the describe calls ask for it instead of listing the region."""
        return any((self.replication_group_id, self.cache_cluster_id, self.serverless_cache_name))

    @property
    def is_empty(self) -> bool:
        return not (self.narrowed_by_id or self.tag_key or self.engine)

    def wants_replication_groups(self) -> bool:
        return not self.narrowed_by_id or self.replication_group_id is not None

    def wants_cache_clusters(self) -> bool:
        return not self.narrowed_by_id or bool(self.cache_cluster_id or self.replication_group_id)

    def wants_serverless(self) -> bool:
        return not self.narrowed_by_id or self.serverless_cache_name is not None

    def tag_matches(self, tags: Mapping[str, str]) -> bool:
        if self.tag_key is None:
            return True
        if self.tag_key not in tags:
            return False
        return self.tag_value is None or tags[self.tag_key] == self.tag_value

    def engine_matches(self, engine: str | None) -> bool:
        return self.engine is None or (engine or "").lower() == self.engine.value


def tags_by_arn(tagged: Iterable[TaggedResource]) -> dict[str, dict[str, str]]:
    return {item.resource_arn: {tag.key: tag.value for tag in item.tags} for item in tagged}


def keep_replication_groups(
    groups: Iterable[ReplicationGroup],
    filters: ScanFilters,
    tags: Mapping[str, Mapping[str, str]],
) -> tuple[ReplicationGroup, ...]:
    return tuple(
        group
        for group in groups
        if filters.engine_matches(group.engine) and filters.tag_matches(tags.get(group.arn, {}))
    )


def keep_cache_clusters(
    clusters: Iterable[CacheCluster],
    filters: ScanFilters,
    tags: Mapping[str, Mapping[str, str]],
    collected_groups: Iterable[ReplicationGroup],
    kept_groups: Iterable[ReplicationGroup],
) -> tuple[CacheCluster, ...]:
    """A member of a collected group follows its group; any other cluster matches on its own."""
    collected_ids = {group.replication_group_id for group in collected_groups}
    kept_ids = {group.replication_group_id for group in kept_groups}
    kept: list[CacheCluster] = []
    for cluster in clusters:
        if cluster.replication_group_id in collected_ids:
            if cluster.replication_group_id in kept_ids:
                kept.append(cluster)
        elif filters.engine_matches(cluster.engine) and filters.tag_matches(
            tags.get(cluster.arn, {})
        ):
            kept.append(cluster)
    return tuple(kept)


def keep_serverless(
    caches: Iterable[ServerlessCache],
    filters: ScanFilters,
    tags: Mapping[str, Mapping[str, str]],
) -> tuple[ServerlessCache, ...]:
    return tuple(
        cache
        for cache in caches
        if filters.engine_matches(cache.engine) and filters.tag_matches(tags.get(cache.arn, {}))
    )
