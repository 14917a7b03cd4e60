"""Glue between a moto response object (one request) and our store."""

from __future__ import annotations

from typing import Any

from sandbox.fake_aws.elasticache.errors import ElastiCacheError, invalid_combination
from sandbox.fake_aws.elasticache.store import ElastiCacheStore, store_of


def store_for(response: Any) -> ElastiCacheStore:
    """The store of the account and region the request was signed for."""
    from moto.elasticache.models import elasticache_backends

    return store_of(elasticache_backends[response.current_account][response.region])


def params_of(response: Any) -> dict[str, Any]:
    """Request parameters already parsed by moto against the botocore model."""
    return dict(getattr(response, "params", None) or {})


def tag(store: ElastiCacheStore, arn: str, tags: list[dict[str, str]] | None) -> None:
    """Tag a resource; the tagging API keeps listing it even after its tags go."""
    if tags:
        store.tagging().tag_resource(arn, tags)
        store.ever_tagged.add(arn)


def check_kms_key(store: ElastiCacheStore, key_id: str | None) -> None:
    """A key named in this account and region must exist in moto's KMS."""
    if not key_id:
        return
    if key_id.startswith("arn:") and f":{store.region}:{store.account_id}:" not in key_id:
        return
    from moto.kms.models import kms_backends

    try:
        kms_backends[store.account_id][store.region].describe_key(key_id)
    except Exception as error:  # moto raises KeyError or its own NotFound here
        raise ElastiCacheError("InvalidKMSKeyFault", f"KMS key {key_id} not found.") from error


def check_at_rest_key(at_rest: bool, key_id: str | None) -> None:
    if key_id and not at_rest:
        raise invalid_combination("KmsKeyId needs AtRestEncryptionEnabled=true.")


def zones_of(subnets: list[tuple[str, str]]) -> list[str]:
    zones = sorted({zone for _, zone in subnets})
    return zones or ["us-east-1a"]
