"""The CLI text every rebuild rule shares: read all settings, snapshot, recreate with all of them.

A rebuilt copy that drops one setting (the AUTH token, Multi-AZ, the parameter group, the
shard layout) is a new incident, so the create call repeats every setting the source has.
The AUTH token is read from Secrets Manager into the shell, never typed on a command line.
Used by the encryption (CW-103, CW-104) and network (CW-301..CW-303, CW-306) rules.
"""

from __future__ import annotations

READ_SOURCE_SETTINGS = """\
aws elasticache describe-replication-groups \\
    --replication-group-id <replication-group-id> \\
    --query "ReplicationGroups[0].[ClusterEnabled,NodeGroups[].NodeGroupMembers[].CacheClusterId,AutomaticFailover,MultiAZ,TransitEncryptionEnabled,TransitEncryptionMode,AtRestEncryptionEnabled,KmsKeyId,AuthTokenEnabled,UserGroupIds,SnapshotRetentionLimit,SnapshotWindow,LogDeliveryConfigurations,AutoMinorVersionUpgrade,ARN]"
aws elasticache describe-cache-clusters \\
    --cache-cluster-id <member-cluster-id> \\
    --query "CacheClusters[0].[EngineVersion,CacheNodeType,CacheParameterGroup.CacheParameterGroupName,CacheSubnetGroupName,SecurityGroups[].SecurityGroupId,PreferredMaintenanceWindow,NotificationConfiguration.TopicArn]"
aws elasticache list-tags-for-resource \\
    --resource-name <replication-group-arn>
"""

READ_CLUSTER_SETTINGS = """\
aws elasticache describe-cache-clusters \\
    --cache-cluster-id <cache-cluster-id> \\
    --query "CacheClusters[0].[Engine,EngineVersion,CacheNodeType,CacheParameterGroup.CacheParameterGroupName,SecurityGroups[].SecurityGroupId,PreferredMaintenanceWindow,SnapshotRetentionLimit,SnapshotWindow,NotificationConfiguration.TopicArn,AuthTokenEnabled,TransitEncryptionEnabled,LogDeliveryConfigurations,AutoMinorVersionUpgrade,ARN]"
aws elasticache list-tags-for-resource \\
    --resource-name <cache-cluster-arn>
"""

SNAPSHOT_SOURCE = """\
aws elasticache create-snapshot \\
    {source} \\
    --snapshot-name <snapshot-name>
aws elasticache describe-snapshots \\
    --snapshot-name <snapshot-name> \\
    --query "Snapshots[0].SnapshotStatus"
"""

READ_AUTH_TOKEN = """\
# AUTH token groups: read the token your clients use from Secrets Manager into the shell.
# RBAC groups: drop --auth-token and pass --user-group-ids <user-group-id> instead.
AUTH_TOKEN="$(aws secretsmanager get-secret-value \\
    --secret-id <auth-token-secret-id> \\
    --query SecretString \\
    --output text)"
"""


def create_copy(
    description: str,
    *,
    subnet_group: str = "<cache-subnet-group-name>",
    port: str = "<port>",
    key: str = "",
) -> str:
    """create-replication-group with every setting of the source and the fix in place.

    Fixed at creation, so the fix is one of these values: the subnet group (CW-301..303),
    the port (CW-306), at-rest encryption and its key (CW-103, CW-104).
    """
    key_flag = f"    --kms-key-id {key} \\\n" if key else ""
    return f"""\
# Keep the source's values; a source with a customer key also passes --kms-key-id <kms-key-arn>.
# Cluster mode enabled: replace --num-cache-clusters with
#   --cluster-mode enabled --num-node-groups <shard-count> --replicas-per-node-group <replica-count>
# The copy has TLS on: clients connect to it with TLS (rediss://).
aws elasticache create-replication-group \\
    --replication-group-id <new-replication-group-id> \\
    --replication-group-description "{description}" \\
    --snapshot-name <snapshot-name> \\
    --engine <engine> \\
    --engine-version <engine-version> \\
    --cache-node-type <cache-node-type> \\
    --num-cache-clusters <node-count> \\
    --cache-parameter-group-name <cache-parameter-group-name> \\
    --cache-subnet-group-name {subnet_group} \\
    --security-group-ids <security-group-id> \\
    --port {port} \\
    --automatic-failover-enabled \\
    --multi-az-enabled \\
    --transit-encryption-enabled \\
    --at-rest-encryption-enabled \\
{key_flag}\
    --auth-token "$AUTH_TOKEN" \\
    --snapshot-retention-limit <retention-days> \\
    --snapshot-window <hh24:mi-hh24:mi> \\
    --preferred-maintenance-window <ddd:hh24:mi-ddd:hh24:mi> \\
    --notification-topic-arn <sns-topic-arn> \\
    --log-delivery-configurations file://log-delivery.json \\
    --auto-minor-version-upgrade \\
    --tags Key=<tag-key>,Value=<tag-value>
"""


VERIFY_AND_MOVE = """\
# The copy has new endpoint DNS names: move every client to them before deleting the source.
aws elasticache describe-replication-groups \\
    --replication-group-id <new-replication-group-id> \\
    --query "ReplicationGroups[0].[Status,ConfigurationEndpoint,NodeGroups[].[PrimaryEndpoint,ReaderEndpoint]]"
"""


def rebuild_cli(source: str, create: str, delete: str, read: str = READ_SOURCE_SETTINGS) -> str:
    """Read every setting, snapshot, recreate with all of them plus the fix, move clients, delete."""
    return (
        read
        + SNAPSHOT_SOURCE.format(source=source)
        + READ_AUTH_TOKEN
        + create
        + VERIFY_AND_MOVE
        + delete
    )
