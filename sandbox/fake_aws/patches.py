"""Put our ElastiCache layer (and two small fixes elsewhere) into moto, in place.

moto's state is process-wide, so the patches are too: they work for `moto.mock_aws()`
in-process and for a moto server running in this process. Calling again only updates
the settings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult

from sandbox.fake_aws.elasticache import (
    backups,
    clusters,
    extras,
    groups,
    lifecycle,
    reserved,
    serverless,
    serverless_lifecycle,
    subnets,
    tags,
    user_groups,
    users,
)
from sandbox.fake_aws.elasticache.store import SETTINGS_ATTRIBUTE, FakeSettings

HANDLERS: tuple[Callable[[Any], ActionResult], ...] = (
    lifecycle.create_replication_group,
    groups.describe_replication_groups,
    groups.modify_replication_group,
    lifecycle.delete_replication_group,
    clusters.create_cache_cluster,
    clusters.describe_cache_clusters,
    clusters.modify_cache_cluster,
    lifecycle.delete_cache_cluster,
    subnets.create_cache_subnet_group,
    subnets.describe_cache_subnet_groups,
    subnets.delete_cache_subnet_group,
    users.create_user,
    users.modify_user,
    users.describe_users,
    users.delete_user,
    user_groups.create_user_group,
    user_groups.modify_user_group,
    user_groups.describe_user_groups,
    user_groups.delete_user_group,
    serverless_lifecycle.create_serverless_cache,
    serverless_lifecycle.describe_serverless_caches,
    serverless.modify_serverless_cache,
    serverless_lifecycle.delete_serverless_cache,
    lifecycle.create_snapshot,
    lifecycle.describe_snapshots,
    backups.delete_snapshot,
    reserved.describe_reserved_cache_nodes,
    reserved.describe_reserved_cache_nodes_offerings,
    reserved.purchase_reserved_cache_nodes_offering,
    tags.add_tags_to_resource,
    tags.list_tags_for_resource,
    tags.remove_tags_from_resource,
    extras.describe_cache_engine_versions,
    extras.describe_events,
    serverless_lifecycle.create_serverless_cache_snapshot,
    serverless_lifecycle.describe_serverless_cache_snapshots,
    serverless_lifecycle.delete_serverless_cache_snapshot,
    extras.describe_global_replication_groups,
)
AWS_MANAGED_ELASTICACHE_ALIAS = "alias/aws/elasticache"
UNLIMITED_TAGS_PER_PAGE = 10**9


def install_patches(modify_delay_describes: int | None = None) -> FakeSettings:
    """Apply the layer once; returns the shared settings (optionally updated)."""
    from moto.elasticache.models import ElastiCacheBackend

    settings = ElastiCacheBackend.__dict__.get(SETTINGS_ATTRIBUTE)
    # moto builds ~1300 sample AMIs per account and region (~0.7 s each); nothing here uses them
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    if settings is None:
        settings = FakeSettings()
        _patch_elasticache()
        _patch_kms()
        _patch_tagging_pages()
        _patch_secret_version_dates()
        setattr(ElastiCacheBackend, SETTINGS_ATTRIBUTE, settings)
    if modify_delay_describes is not None:
        settings.modify_delay_describes = modify_delay_describes
    return settings


def _patch_elasticache() -> None:
    from moto.elasticache.models import ElastiCacheBackend
    from moto.elasticache.responses import ElastiCacheResponse

    for handler in HANDLERS:
        setattr(ElastiCacheResponse, handler.__name__, handler)
    ElastiCacheBackend.iter_tagged_resources = tags.iter_tagged_resources  # type: ignore[method-assign,assignment]


def _patch_kms() -> None:
    """AWS-managed keys (alias/aws/...) read KeyManager AWS; add ElastiCache's alias."""
    from moto.kms import utils as kms_utils
    from moto.kms.models import KmsBackend

    if AWS_MANAGED_ELASTICACHE_ALIAS not in kms_utils.RESERVED_ALIASES:
        # the same list object is imported by moto.kms.models and moto.kms.responses
        kms_utils.RESERVED_ALIASES.append(AWS_MANAGED_ELASTICACHE_ALIAS)
    original = KmsBackend._generate_default_keys

    def generate_default_keys(self: Any, alias_name: str) -> str | None:
        key_id = original(self, alias_name)
        if key_id is not None:
            key = self.keys[key_id]
            key.key_manager = "AWS"
            service = alias_name.rsplit("/", 1)[-1]
            key.description = f"Default key that protects my {service} data"
        return key_id

    KmsBackend._generate_default_keys = generate_default_keys  # type: ignore[method-assign]


def _patch_tagging_pages() -> None:
    """GetResources pages by 100 resources unless asked otherwise (moto uses 50)."""
    from moto.resourcegroupstaggingapi.responses import ResourceGroupsTaggingAPIResponse

    original = ResourceGroupsTaggingAPIResponse.get_resources

    def get_resources(self: Any) -> ActionResult:
        params = self.params
        if "ResourcesPerPage" not in params and "TagsPerPage" not in params:
            token, resources = self.backend.get_resources(
                pagination_token=params.get("PaginationToken"),
                tag_filters=params.get("TagFilters", []),
                resources_per_page=100,
                tags_per_page=UNLIMITED_TAGS_PER_PAGE,
                resource_type_filters=params.get("ResourceTypeFilters", []),
                resource_arn_list=params.get("ResourceARNList", []),
            )
            mappings = [
                {"ResourceARN": r.arn, "Tags": [{"Key": k, "Value": v} for k, v in r.tags.items()]}
                for r in resources
            ]
            return ActionResult({"ResourceTagMappingList": mappings, "PaginationToken": token})
        return original(self)

    ResourceGroupsTaggingAPIResponse.get_resources = get_resources  # type: ignore[method-assign]


def _patch_secret_version_dates() -> None:
    """ListSecretVersionIds reports each version's own creation date (moto says "now").

    Scheduled rotation ages a credential by its AWSCURRENT version's CreatedDate:
    https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecretVersionIds.html
    """
    import json

    from moto.secretsmanager.exceptions import SecretNotFoundException
    from moto.secretsmanager.models import SecretsManagerBackend

    def list_secret_version_ids(self: Any, secret_id: str) -> str:
        if secret_id not in self.secrets:
            raise SecretNotFoundException()
        secret = self.secrets[secret_id]
        versions = [
            {
                "CreatedDate": version.get("createdate"),
                "VersionId": version_id,
                "VersionStages": version["version_stages"],
            }
            for version_id, version in secret.versions.items()
        ]
        return json.dumps(
            {"ARN": secret.arn, "Name": secret.name, "NextToken": "", "Versions": versions}
        )

    SecretsManagerBackend.list_secret_version_ids = list_secret_version_ids  # type: ignore[method-assign]
