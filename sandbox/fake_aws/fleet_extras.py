"""Fleet pieces around the caches: reserved nodes, CloudTrail, CPU metrics, IAM."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from moto.core.utils import utcnow

from sandbox.fake_aws.client import seed_reserved_node
from sandbox.fake_aws.fleet_model import ResourceRecord
from sandbox.fake_aws.fleet_plan import CachePlan

UNUSED_NODE_TYPE = "cache.t3.medium"  # the fleet never runs this type
METRIC_BATCH = 500
BUSY_CPU, IDLE_CPU = 38.0, 0.4

# (label, days since start, state, uses a running node type, bad settings)
RESERVATIONS = (
    ("healthy", 30, "active", True, ()),
    ("expiring-7d", 360, "active", True, ("lease_expiring_7_days",)),
    ("expiring-30d", 345, "active", True, ("lease_expiring_30_days",)),
    ("pending", 1, "payment-pending", True, ("payment_pending",)),
    ("failed", 1, "payment-failed", True, ("payment_failed",)),
    ("unused", 30, "active", False, ("unused_reservation",)),
)


def seed_reservations(
    url: str, account: str, region: str, used_type: str | None
) -> list[ResourceRecord]:
    records = []
    for label, age_days, state, uses_running, bad in RESERVATIONS:
        if uses_running and used_type is None:
            continue
        node_id = f"cw-ri-{label}"
        spec = {
            "reserved_cache_node_id": node_id,
            "cache_node_type": used_type if uses_running else UNUSED_NODE_TYPE,
            "duration": 1,
            "start_time": (utcnow() - timedelta(days=age_days)).isoformat(),
            "state": state,
        }
        node = seed_reserved_node(url, account, region, spec)
        records.append(
            ResourceRecord(
                kind="reserved-node", resource_id=node_id, account=account, region=region,
                bad=bad, arn=node["ReservationARN"], details={"cache_node_type": spec["cache_node_type"]},
            )
        )  # fmt: skip
    return records


def create_trail(clients: Any, account: str, region: str) -> str:
    bucket = f"cw-trail-{account}-{region}"
    s3 = clients.client("s3")
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    trail = clients.client("cloudtrail")
    arn = trail.create_trail(Name="cachewarden-trail", S3BucketName=bucket)["TrailARN"]
    trail.start_logging(Name="cachewarden-trail")
    return str(arn)


def _datapoints(cluster_id: str, value: float) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "MetricName": "CPUUtilization",
            "Dimensions": [{"Name": "CacheClusterId", "Value": cluster_id}],
            "Timestamp": now - timedelta(days=day, hours=1),
            "Value": value,
            "Unit": "Percent",
        }
        for day in range(7)
    ]


def put_cpu_metrics(clients: Any, plans_members: list[tuple[CachePlan, list[str]]]) -> None:
    """Busy CPU for compliant caches, idle CPU for those planned idle, none for the rest."""
    data: list[dict[str, Any]] = []
    for plan, members in plans_members:
        if plan.has("idle"):
            value = IDLE_CPU
        elif not plan.bad:
            value = BUSY_CPU
        else:
            continue
        for member in members:
            data.extend(_datapoints(member, value))
    cloudwatch = clients.client("cloudwatch")
    for start in range(0, len(data), METRIC_BATCH):
        cloudwatch.put_metric_data(
            Namespace="AWS/ElastiCache", MetricData=data[start : start + METRIC_BATCH]
        )


def create_audit_role(clients: Any, role_name: str, trusted_account: str) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{trusted_account}:root"},
             "Action": "sts:AssumeRole"}
        ],
    }  # fmt: skip
    iam = clients.client("iam")
    try:
        iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))
    except iam.exceptions.EntityAlreadyExistsException:
        return  # an earlier seed of this account made it
    read_only = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["elasticache:Describe*", "elasticache:List*",
             "ec2:Describe*", "kms:DescribeKey", "tag:GetResources", "cloudtrail:Describe*",
             "cloudtrail:Get*", "cloudwatch:GetMetricData"], "Resource": "*"}
        ],
    }  # fmt: skip
    # moto loads no AWS-managed policies by default, so the read-only grant is inline
    iam.put_role_policy(
        RoleName=role_name, PolicyName="audit", PolicyDocument=json.dumps(read_only)
    )


def create_broad_policy(clients: Any, account: str) -> str:
    """A customer-managed policy allowing elasticache:* on *, attached to a role (CW-505)."""
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "elasticache:*", "Resource": "*"}],
    }
    iam = clients.client("iam")
    try:
        policy = iam.create_policy(
            PolicyName="cw-legacy-cache-admin", PolicyDocument=json.dumps(document)
        )
    except iam.exceptions.EntityAlreadyExistsException:
        return f"arn:aws:iam::{account}:policy/cw-legacy-cache-admin"  # seeded before
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName="cw-legacy-ops", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="cw-legacy-ops", PolicyArn=policy["Policy"]["Arn"])
    return str(policy["Policy"]["Arn"])
