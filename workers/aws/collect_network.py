"""EC2 network facts and KMS keys, fetched only for what the collected caches reference.

EC2 calls filter by id in batches (a missing id narrows the answer instead of failing
the call); KMS keys are described once per distinct key per scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from posture.resources import (
    CollectionError,
    KmsKey,
    ManagedPrefixList,
    PrefixListEntry,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
)
from workers.aws.context import RegionContext, chunked, paginate
from workers.aws.errors import AWS_FAILURES, to_collection_error

# EC2 accepts up to 200 values per filter.
FILTER_BATCH = 200
EC2_PAGE = {"PageSize": 1000}


def subnets(ctx: RegionContext, subnet_ids: Iterable[str]) -> tuple[Subnet, ...]:
    ec2 = ctx.client("ec2")
    found: list[Subnet] = []
    for batch in chunked(sorted(set(subnet_ids)), FILTER_BATCH):
        items = paginate(
            ec2,
            "describe_subnets",
            "Subnets",
            Filters=[{"Name": "subnet-id", "Values": batch}],
            PaginationConfig=EC2_PAGE,
        )
        found.extend(Subnet.model_validate(item) for item in items)
    return tuple(found)


def route_tables(
    ctx: RegionContext, subnet_ids: Iterable[str], vpc_ids: Iterable[str]
) -> tuple[RouteTable, ...]:
    """Tables associated with the subnets, plus each VPC's main table (the fallback route)."""
    ec2 = ctx.client("ec2")
    by_id: dict[str, RouteTable] = {}
    queries = [
        [{"Name": "association.subnet-id", "Values": batch}]
        for batch in chunked(sorted(set(subnet_ids)), FILTER_BATCH)
    ] + [
        [{"Name": "vpc-id", "Values": batch}, {"Name": "association.main", "Values": ["true"]}]
        for batch in chunked(sorted(set(vpc_ids)), FILTER_BATCH)
    ]
    for query in queries:
        for item in paginate(
            ec2, "describe_route_tables", "RouteTables", Filters=query, PaginationConfig=EC2_PAGE
        ):
            table = RouteTable.model_validate(item)
            by_id[table.route_table_id] = table
    return tuple(by_id.values())


def security_groups(ctx: RegionContext, group_ids: Iterable[str]) -> tuple[SecurityGroup, ...]:
    ec2 = ctx.client("ec2")
    found: list[SecurityGroup] = []
    for batch in chunked(sorted(set(group_ids)), FILTER_BATCH):
        items = paginate(
            ec2,
            "describe_security_groups",
            "SecurityGroups",
            Filters=[{"Name": "group-id", "Values": batch}],
            PaginationConfig=EC2_PAGE,
        )
        found.extend(SecurityGroup.model_validate(item) for item in items)
    return tuple(found)


def vpcs(ctx: RegionContext, vpc_ids: Iterable[str]) -> tuple[Vpc, ...]:
    """The VPCs the caches live in: their CIDR blocks (CW-305) and IsDefault (CW-307)."""
    ec2 = ctx.client("ec2")
    found: list[Vpc] = []
    for batch in chunked(sorted(set(vpc_ids)), FILTER_BATCH):
        items = paginate(
            ec2,
            "describe_vpcs",
            "Vpcs",
            Filters=[{"Name": "vpc-id", "Values": batch}],
            PaginationConfig=EC2_PAGE,
        )
        found.extend(Vpc.model_validate(item) for item in items)
    return tuple(found)


def referenced_prefix_lists(groups: Iterable[SecurityGroup]) -> set[str]:
    return {
        str(ref["PrefixListId"])
        for group in groups
        for permission in group.ip_permissions
        for ref in permission.prefix_list_ids
        if ref.get("PrefixListId")
    }


def prefix_lists(ctx: RegionContext, list_ids: Iterable[str]) -> tuple[ManagedPrefixList, ...]:
    """Prefix lists named by the caches' ingress rules, in bulk, then each list's entries."""
    ec2 = ctx.client("ec2")
    found: list[ManagedPrefixList] = []
    for batch in chunked(sorted(set(list_ids)), FILTER_BATCH):
        items = paginate(
            ec2,
            "describe_managed_prefix_lists",
            "PrefixLists",
            Filters=[{"Name": "prefix-list-id", "Values": batch}],
            PaginationConfig={"PageSize": 100},
        )
        for item in items:
            entries = paginate(
                ec2,
                "get_managed_prefix_list_entries",
                "Entries",
                PrefixListId=item["PrefixListId"],
                PaginationConfig={"PageSize": 100},
            )
            found.append(
                ManagedPrefixList.model_validate(
                    {**item, "Entries": [PrefixListEntry.model_validate(e) for e in entries]}
                )
            )
    return tuple(found)


def kms_keys(
    ctx: RegionContext, key_ids: Iterable[str]
) -> tuple[tuple[KmsKey, ...], tuple[CollectionError, ...]]:
    """One `describe_key` per distinct key of the scan; a key that fails is an error entry."""
    keys: list[KmsKey] = []
    errors: list[CollectionError] = []
    for key_id in sorted(set(key_ids)):
        outcome = ctx.cache.get_or_compute(
            ("kms", ctx.account.account_id, ctx.region, key_id),
            partial(_describe_key, ctx, key_id),
        )
        if isinstance(outcome, KmsKey):
            keys.append(outcome)
        else:
            errors.append(outcome)
    return tuple(keys), tuple(errors)


def _describe_key(ctx: RegionContext, key_id: str) -> KmsKey | CollectionError:
    try:
        metadata = ctx.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]
        return KmsKey.model_validate(metadata)
    except AWS_FAILURES as exc:
        return to_collection_error(exc, "DescribeKey", "kms_key")
