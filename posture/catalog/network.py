"""Rules of the network family: CW-301..CW-306 (placement, security groups, ports)."""

from __future__ import annotations

from posture.base import Engine, ResourceKind, Severity
from posture.catalog import _network_snippets as snip
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory

FAMILY = "network"
_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
_VPC_DOCS = "https://docs.aws.amazon.com/vpc/latest/userguide"
_ALL_ENGINES = (Engine.REDIS, Engine.VALKEY, Engine.MEMCACHED)
_NODE_BASED = (ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER)
_EVERY_CACHE = (*_NODE_BASED, ResourceKind.SERVERLESS_CACHE)
_BOUNDARY_STANDARDS = (
    "NIST SP 800-53 SC-7",
    "PCI DSS v4.0 1.3.1",
    "SOC 2 CC6.6",
)
_REBUILD_PERMISSIONS = (
    "elasticache:CreateCacheSubnetGroup",
    "elasticache:CreateSnapshot",
    "elasticache:DescribeSnapshots",
    "elasticache:CreateReplicationGroup",
    "elasticache:DescribeReplicationGroups",
    "elasticache:DeleteReplicationGroup",
    "elasticache:DeleteCacheCluster",
    # Read every setting of the source, tag the copy, read its AUTH token (rebuild text).
    "elasticache:DescribeCacheClusters",
    "elasticache:ListTagsForResource",
    "elasticache:AddTagsToResource",
    "secretsmanager:GetSecretValue",
)
_SG_FIX_PERMISSIONS = (
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:DescribeSecurityGroupRules",
)
_SG_EVAL_PERMISSIONS = (
    "elasticache:DescribeReplicationGroups",
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeServerlessCaches",
    "ec2:DescribeSecurityGroups",
    # Prefix lists named as sources, and the VPC blocks CW-305 trusts by default.
    "ec2:DescribeManagedPrefixLists",
    "ec2:GetManagedPrefixListEntries",
    "ec2:DescribeVpcs",
)
_MOVE_STEPS = (
    "The subnet group of a node-based cache cannot be changed: plan a rebuild and a "
    "client cut-over window.",
    "Under Subnet groups in the ElastiCache console, create a group from private "
    "subnets of the application VPC in at least two Availability Zones.",
    "Back the cache up (Actions, then Backup), restore the backup into a new cache that "
    "uses the new subnet group and repeats every other setting of the old one (engine "
    "version, node type and shards, parameter group, security groups, port, failover, "
    "Multi-AZ, encryption, AUTH token or user group, windows, logs, notifications, tags), "
    "and wait until available.",
    "Point clients at the new cache's endpoint names, then delete the old cache with a "
    "final backup. "
    "Memcached has no backups: create the new cluster empty and let it warm up.",
)
_MOVE_BACKOUT = (
    "The old cache keeps running until you delete it, so roll back by pointing clients "
    "at its endpoint again. After deletion, restore its final snapshot into a new cache."
)

CW_301 = Rule(
    id="CW-301",
    title="Caches run inside a VPC",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Cache runs outside a VPC",
    family=FAMILY,
    resource_kinds=_NODE_BASED,
    engines=_ALL_ENGINES,
    rationale=(
        "A cache without a subnet group was launched on EC2-Classic, the flat network "
        "shared with other customers' instances that AWS has retired. It has no subnets, "
        "route tables, network ACLs or flow logs of yours around it, so it cannot be "
        "isolated or monitored like the rest of the workload."
    ),
    audit=snip.VPC_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.VPC_CLI,
        cloudformation=snip.VPC_CFN,
        terraform=snip.SUBNET_GROUP_TERRAFORM,
        console=_MOVE_STEPS,
        permissions=_REBUILD_PERMISSIONS,
    ),
    backout=_MOVE_BACKOUT,
    compliance=_BOUNDARY_STANDARDS,
    permissions=("elasticache:DescribeCacheClusters",),
    references=(
        f"{_DOCS}/dg/VPCs.html",
        f"{_DOCS}/dg/SubnetGroups.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-003",),
        Framework.CLOUDSPLOIT: ("elasticacheClusterInVpc",),
        Framework.CHECKOV: ("CKV_AWS_196",),
    },
)

CW_302 = Rule(
    id="CW-302",
    title="Caches use their own subnet group, not the default one",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Cache uses the default subnet group",
    family=FAMILY,
    resource_kinds=_NODE_BASED,
    engines=_ALL_ENGINES,
    rationale=(
        "The subnet group named default is built from the default VPC, whose subnets "
        "route to an internet gateway and host whatever was launched without a network "
        "decision. A cache there shares its network with unrelated, often public, "
        "workloads. A dedicated subnet group of private subnets makes its placement "
        "deliberate and reviewable."
    ),
    audit=snip.DEFAULT_SUBNET_GROUP_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.MOVE_SUBNET_GROUP_CLI,
        cloudformation=snip.SUBNET_GROUP_CFN,
        terraform=snip.SUBNET_GROUP_TERRAFORM,
        console=_MOVE_STEPS,
        permissions=_REBUILD_PERMISSIONS,
    ),
    backout=_MOVE_BACKOUT,
    compliance=_BOUNDARY_STANDARDS,
    permissions=(
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeReplicationGroups",
    ),
    references=(
        f"{_DOCS}/dg/SubnetGroups.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html",
    ),
    aliases={
        Framework.SECURITY_HUB: ("ElastiCache.7",),
        Framework.STEAMPIPE: ("elasticache_cluster_no_default_subnet_group",),
        Framework.CHECKOV: ("CKV_AWS_323",),
        Framework.AWS_CONFIG: ("elasticache-subnet-group-check",),
    },
)

CW_303 = Rule(
    id="CW-303",
    title="Caches are placed only in private subnets",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Cache has a subnet that routes to an internet gateway",
    family=FAMILY,
    resource_kinds=_EVERY_CACHE,
    engines=_ALL_ENGINES,
    rationale=(
        "We call a subnet public when its route table (its own association, or else the main "
        "table of its VPC) holds any active route whose target is an internet gateway (igw-), "
        "whatever the destination: 0.0.0.0/0, ::/0, two /1 halves, a narrow CIDR or a prefix "
        "list all let traffic in and out through the gateway. Routes through a NAT gateway "
        "or a transit gateway do not make a subnet public, and a blackhole route is ignored. "
        "Cache nodes only get private addresses, but a public subnet is the internet-facing "
        "tier, where one loose security group or network ACL is enough to expose the cache. "
        "Every subnet of the cache's subnet group (or of a serverless cache) is checked; a "
        "subnet whose route table cannot be found is reported as an error, not as a pass."
    ),
    audit=snip.PUBLIC_SUBNET_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.MOVE_SUBNET_GROUP_CLI,
        cloudformation=snip.PRIVATE_SUBNET_CFN,
        terraform=snip.SUBNET_GROUP_TERRAFORM,
        console=(
            *_MOVE_STEPS,
            "A serverless cache cannot change subnets either: create a serverless backup "
            "and restore it into a new serverless cache on private subnets.",
            "If the subnets hold nothing but caches, removing their internet gateway "
            "route (or associating a private route table) fixes them in place; check "
            "first that no other resource there needs it.",
        ),
        permissions=(
            *_REBUILD_PERMISSIONS,
            "elasticache:CreateServerlessCacheSnapshot",
            "elasticache:CreateServerlessCache",
            "elasticache:DeleteServerlessCache",
        ),
    ),
    backout=_MOVE_BACKOUT,
    compliance=(
        *_BOUNDARY_STANDARDS,
        "PCI DSS v4.0 1.4.4",
    ),
    permissions=(
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeCacheSubnetGroups",
        "elasticache:DescribeServerlessCaches",
        "ec2:DescribeSubnets",
        "ec2:DescribeRouteTables",
    ),
    references=(
        f"{_DOCS}/dg/SubnetGroups.html",
        f"{_VPC_DOCS}/VPC_Route_Tables.html",
    ),
    aliases={
        Framework.PROWLER: ("elasticache_cluster_uses_public_subnet",),
        Framework.STEAMPIPE: ("elasticache_cluster_no_public_subnet",),
    },
)

CW_304 = Rule(
    id="CW-304",
    title="The cache port is not open to 0.0.0.0/0 or ::/0",
    severity=Severity.CRITICAL,
    category=RuleCategory.SECURITY,
    failure="Cache port open to 0.0.0.0/0 or ::/0",
    family=FAMILY,
    resource_kinds=_EVERY_CACHE,
    engines=_ALL_ENGINES,
    rationale=(
        "Redis OSS, Valkey and Memcached were built for trusted networks, and Memcached "
        "has no authentication at all. An ingress rule from anywhere on the cache port "
        "(or all traffic) admits every network path into the VPC: peering, VPN, Transit "
        "Gateway, Direct Connect, or a proxy in a public subnet. Whoever gets through can "
        "read, change or wipe the data, with no other network control left to stop them."
    ),
    audit=snip.SECURITY_GROUP_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=snip.OPEN_PORT_CLI,
        cloudformation=snip.OPEN_PORT_CFN,
        terraform=snip.OPEN_PORT_TERRAFORM,
        console=(
            "In the EC2 console, open Security Groups and select each group attached to the cache.",
            "Under Inbound rules, add a rule for the cache port whose source is the "
            "application's security group, and save.",
            "Delete the rules whose source is 0.0.0.0/0 or ::/0 and that cover the cache "
            "port (including All traffic rules), and save.",
            "If the security group is shared with other resources, create a dedicated "
            "one instead and attach it to the cache (Modify, Security groups).",
        ),
        permissions=_SG_FIX_PERMISSIONS,
    ),
    backout=(
        "Security group changes apply at once and are reversible: authorize the removed "
        "rule again to restore the old state. Better, add the specific source a broken "
        "client needs (its security group or CIDR) and leave the open rule gone."
    ),
    compliance=(
        *_BOUNDARY_STANDARDS,
        "PCI DSS v4.0 1.4.4",
        "NIST SP 800-53 AC-4",
        "HIPAA 164.312(a)(1)",
    ),
    permissions=_SG_EVAL_PERMISSIONS,
    references=(
        f"{_DOCS}/dg/VPCs.html",
        f"{_VPC_DOCS}/vpc-security-groups.html",
    ),
    aliases={Framework.CLOUDSPLOIT: ("openRedis", "openMemcached")},
)

CW_305 = Rule(
    id="CW-305",
    title="Only trusted sources can reach the cache port",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Cache port reachable from sources the policy does not trust",
    family=FAMILY,
    resource_kinds=_EVERY_CACHE,
    engines=_ALL_ENGINES,
    rationale=(
        "Every inbound rule that covers a cache port must name a source we trust. Out of "
        "the box only two kinds are: an address range inside one of the CIDR blocks of the "
        "VPC the cache's security groups live in, and a security group owned by the same "
        "account and not reached over VPC peering. A prefix list counts when all of its "
        "entries fall inside those blocks. Anything else (another private range, a partner "
        "or office network, another account's group, a peered VPC's group) fails unless the "
        "policy lists it under trusted_cidrs, trusted_security_groups, trusted_accounts or "
        "trusted_prefix_lists, which are all empty by default. Every extra source is a host "
        "that never needs the cache but can talk to it, and a path to the data once it is "
        "compromised."
    ),
    audit=snip.TRUSTED_SOURCES_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=snip.UNTRUSTED_SOURCE_CLI,
        cloudformation=snip.UNTRUSTED_SOURCE_CFN,
        terraform=snip.UNTRUSTED_SOURCE_TERRAFORM,
        console=(
            "In the EC2 console, open Security Groups and select each group attached to the cache.",
            "Under Inbound rules, find the rules on the cache port whose source is outside "
            "the cache's VPC blocks, a group of another account or a peered VPC, or a prefix "
            "list reaching beyond the VPC, and is not in the policy's trusted lists.",
            "Add rules for the legitimate clients, by their security group where "
            "possible or by a trusted CIDR, and save.",
            "Delete the untrusted rules and save.",
        ),
        permissions=_SG_FIX_PERMISSIONS,
    ),
    backout=(
        "Authorize the removed rule again; the change takes effect immediately. Record "
        "why it was needed and add that range to the policy's trusted CIDRs if it is "
        "legitimate, so the finding does not return."
    ),
    compliance=(
        "NIST SP 800-53 AC-4",
        "NIST SP 800-53 SC-7(5)",
        "PCI DSS v4.0 1.3.1",
        "SOC 2 CC6.6",
    ),
    permissions=_SG_EVAL_PERMISSIONS,
    references=(
        f"{_VPC_DOCS}/vpc-security-groups.html",
        f"{_DOCS}/dg/VPCs.html",
    ),
)

CW_306 = Rule(
    id="CW-306",
    title="Caches listen on a non-default port",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Cache listens on the engine's default port",
    family=FAMILY,
    resource_kinds=_NODE_BASED,
    engines=_ALL_ENGINES,
    rationale=(
        "Automated scanners and worms probe 6379 and 11211 first. A different port does "
        "not stop a targeted attacker, but it filters out commodity probing and makes "
        "stray connection attempts stand out in flow logs. Treat it as hardening on top "
        "of the network and authentication rules, never instead of them."
    ),
    audit=snip.PORT_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.PORT_CLI,
        cloudformation=snip.PORT_CFN,
        terraform=snip.PORT_TERRAFORM,
        console=(
            "The port of a node-based cache cannot be changed: plan a rebuild and a "
            "client cut-over window.",
            "Allow the new port from the application's security group on the cache's "
            "security group.",
            "Back the cache up, restore the backup into a new cache with the new port and "
            "every other setting of the old one (as for CW-302), and wait until it is "
            "available.",
            "Move clients to the new cache's endpoint names and port, then delete the old cache with a "
            "final backup and remove the old port's rule.",
        ),
        permissions=(*_REBUILD_PERMISSIONS, "ec2:AuthorizeSecurityGroupIngress"),
    ),
    backout=_MOVE_BACKOUT,
    compliance=("NIST SP 800-53 CM-6",),
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
    ),
    references=(
        f"{_DOCS}/APIReference/API_CreateReplicationGroup.html",
        f"{_DOCS}/APIReference/API_CreateCacheCluster.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-012",),
        Framework.CLOUDSPLOIT: ("elasticacheDefaultPorts",),
    },
)

CW_307 = Rule(
    id="CW-307",
    title="Caches run outside the region's default VPC",
    severity=Severity.MEDIUM,
    family=FAMILY,
    resource_kinds=_EVERY_CACHE,
    engines=_ALL_ENGINES,
    rationale=(
        "Every region has a default VPC that AWS creates with public subnets and that "
        "collects whatever is launched without a network choice. CW-302 only catches the "
        "subnet group literally named default; a custom subnet group, or a serverless "
        "cache, built from default-VPC subnets lands in the same shared network. The rule "
        "reads the VPC of every subnet the cache uses and fails when it is the default one "
        "(IsDefault)."
    ),
    audit=snip.DEFAULT_VPC_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.MOVE_SUBNET_GROUP_CLI,
        cloudformation=snip.SUBNET_GROUP_CFN,
        terraform=snip.SUBNET_GROUP_TERRAFORM,
        console=(
            *_MOVE_STEPS,
            "Security groups belong to one VPC: create the cache security group in the "
            "application VPC before restoring, and give it the same narrow ingress rules.",
            "A serverless cache cannot change subnets: create a serverless backup and "
            "restore it into a new serverless cache on subnets of the application VPC.",
        ),
        permissions=_REBUILD_PERMISSIONS,
    ),
    backout=_MOVE_BACKOUT,
    compliance=_BOUNDARY_STANDARDS,
    permissions=(
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeServerlessCaches",
        "elasticache:DescribeCacheSubnetGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
    ),
    references=(
        f"{_VPC_DOCS}/default-vpc.html",
        f"{_DOCS}/dg/SubnetGroups.html",
    ),
    category=RuleCategory.SECURITY,
    failure="Cache runs in the region's default VPC",
)
