"""Long CLI, CloudFormation and Terraform texts of the network rules (CW-301..CW-306).

A node-based cache cannot change its subnet group or port in place, so those fixes are
rebuilds; security group fixes are in place.
"""

from __future__ import annotations

from posture.catalog._rebuild_snippets import READ_CLUSTER_SETTINGS, create_copy, rebuild_cli

# Any live route to an internet gateway counts, whatever its destination (CW-303).
_IGW_ROUTES_QUERY = (
    "RouteTables[].Routes[?starts_with(GatewayId || '', 'igw-') && State!='blackhole']"
    ".[DestinationCidrBlock,DestinationIpv6CidrBlock,DestinationPrefixListId,GatewayId]"
)

# --- CW-301 / CW-302 / CW-303: placement ---------------------------------------------

VPC_AUDIT = """\
aws elasticache describe-cache-clusters \\
    --query "CacheClusters[].[CacheClusterId,Engine,ReplicationGroupId,CacheSubnetGroupName]"
"""

DEFAULT_SUBNET_GROUP_AUDIT = """\
aws elasticache describe-cache-clusters \\
    --query "CacheClusters[?CacheSubnetGroupName=='default'].[CacheClusterId,ReplicationGroupId]"
aws elasticache describe-cache-subnet-groups \\
    --cache-subnet-group-name default \\
    --query "CacheSubnetGroups[0].[VpcId,Subnets[].SubnetIdentifier]"
"""

PUBLIC_SUBNET_AUDIT = f"""\
aws elasticache describe-cache-subnet-groups \\
    --cache-subnet-group-name <cache-subnet-group-name> \\
    --query "CacheSubnetGroups[0].[VpcId,Subnets[].SubnetIdentifier]"
aws elasticache describe-serverless-caches \\
    --serverless-cache-name <serverless-cache-name> \\
    --query "ServerlessCaches[0].SubnetIds"
aws ec2 describe-route-tables \\
    --filters Name=association.subnet-id,Values=<subnet-id> \\
    --query "{_IGW_ROUTES_QUERY}"
aws ec2 describe-route-tables \\
    --filters Name=vpc-id,Values=<vpc-id> Name=association.main,Values=true \\
    --query "{_IGW_ROUTES_QUERY}"
"""

_CREATE_SUBNET_GROUP_CLI = """\
aws elasticache create-cache-subnet-group \\
    --cache-subnet-group-name <new-cache-subnet-group-name> \\
    --cache-subnet-group-description "Private subnets for caches" \\
    --subnet-ids <private-subnet-id-a> <private-subnet-id-b>
"""


_DELETE_GROUP = """\
aws elasticache delete-replication-group \\
    --replication-group-id <replication-group-id> \\
    --final-snapshot-identifier <final-snapshot-name>
"""

# The subnet group is fixed when a cache is created: the copy goes into the new one.
VPC_CLI = _CREATE_SUBNET_GROUP_CLI + rebuild_cli(
    "--cache-cluster-id <cache-cluster-id>",
    create_copy(
        "Rebuild of <cache-cluster-id> in a VPC", subnet_group="<new-cache-subnet-group-name>"
    ),
    """\
aws elasticache delete-cache-cluster \\
    --cache-cluster-id <cache-cluster-id> \\
    --final-snapshot-identifier <final-snapshot-name>
""",
    read=READ_CLUSTER_SETTINGS,
)

MOVE_SUBNET_GROUP_CLI = _CREATE_SUBNET_GROUP_CLI + rebuild_cli(
    "--replication-group-id <replication-group-id>",
    create_copy(
        "Rebuild of <replication-group-id> in private subnets",
        subnet_group="<new-cache-subnet-group-name>",
    ),
    _DELETE_GROUP,
)


def _subnet_group_template(description: str, subnets_description: str) -> str:
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: {description}
Parameters:
  PrivateSubnetIds:
    Type: List<AWS::EC2::Subnet::Id>
    Description: {subnets_description}
  CacheSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group that admits the cache port from the application tier only
Resources:
  CacheSubnetGroup:
    Type: AWS::ElastiCache::SubnetGroup
    Properties:
      CacheSubnetGroupName: example-private-cache-subnets
      Description: Private subnets reserved for caches
      SubnetIds: !Ref PrivateSubnetIds
  ReplicationGroup:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: Cache placed in dedicated private subnets
      Engine: valkey
      EngineVersion: "7.2"
      CacheNodeType: cache.t4g.micro
      NumCacheClusters: 2
      AutomaticFailoverEnabled: true
      MultiAZEnabled: true
      # Fixed at creation: a new subnet group means a new replication group.
      CacheSubnetGroupName: !Ref CacheSubnetGroup
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      AtRestEncryptionEnabled: true
      TransitEncryptionEnabled: true
"""


VPC_CFN = _subnet_group_template(
    "Valkey replication group inside a VPC, placed through its own cache subnet group",
    "Private subnets of the VPC that should host the cache",
)
SUBNET_GROUP_CFN = _subnet_group_template(
    "Valkey replication group in a dedicated subnet group instead of the default one",
    "Private subnets of an application VPC (not the default VPC)",
)
PRIVATE_SUBNET_CFN = _subnet_group_template(
    "Valkey replication group placed only in private subnets",
    "Subnets whose route tables send no 0.0.0.0/0 or ::/0 route to an internet gateway",
)

SUBNET_GROUP_TERRAFORM = """\
resource "aws_elasticache_subnet_group" "private" {
  name        = "example-private-cache-subnets"
  description = "Private subnets reserved for caches"
  subnet_ids  = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
}

resource "aws_elasticache_replication_group" "example" {
  replication_group_id       = "example-cache"
  description                = "Cache placed in dedicated private subnets"
  engine                     = "valkey"
  engine_version             = "7.2"
  node_type                  = "cache.t4g.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  # Changing the subnet group forces a new replication group.
  subnet_group_name          = aws_elasticache_subnet_group.private.name
  security_group_ids         = ["sg-0123456789abcdef0"]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
}
"""

# --- CW-304 / CW-305: security group ingress ------------------------------------------

# Which security groups guard the cache, and on which ports it listens (reader port included).
_CACHE_GROUPS_AND_PORTS = """\
aws elasticache describe-cache-clusters \\
    --cache-cluster-id <cache-cluster-id> \\
    --show-cache-node-info \\
    --query "CacheClusters[0].[SecurityGroups[].SecurityGroupId,CacheNodes[0].Endpoint.Port]"
aws elasticache describe-serverless-caches \\
    --serverless-cache-name <serverless-cache-name> \\
    --query "ServerlessCaches[0].[SecurityGroupIds,Endpoint.Port,ReaderEndpoint.Port]"
"""
_RULE_COLUMNS = (
    "SecurityGroupRuleId,IsEgress,IpProtocol,FromPort,ToPort,CidrIpv4,CidrIpv6,"
    "ReferencedGroupInfo.GroupId,PrefixListId"
)

SECURITY_GROUP_AUDIT = (
    _CACHE_GROUPS_AND_PORTS
    + f"""\
aws ec2 describe-security-group-rules \\
    --filters Name=group-id,Values=<security-group-id> \\
    --query "SecurityGroupRules[].[{_RULE_COLUMNS}]"
"""
)

# CW-305 also needs who owns a referenced group and over which peering it is reached, the
# VPC blocks a source is compared with, and what a prefix list holds.
TRUSTED_SOURCES_AUDIT = (
    _CACHE_GROUPS_AND_PORTS
    + f"""\
aws ec2 describe-security-group-rules \\
    --filters Name=group-id,Values=<security-group-id> \\
    --query "SecurityGroupRules[].[{_RULE_COLUMNS},ReferencedGroupInfo.UserId,ReferencedGroupInfo.VpcPeeringConnectionId]"
aws ec2 describe-security-groups \\
    --group-ids <security-group-id> \\
    --query "SecurityGroups[0].VpcId"
aws ec2 describe-vpcs \\
    --vpc-ids <vpc-id> \\
    --query "Vpcs[0].[CidrBlockAssociationSet[].CidrBlock,Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock]"
aws ec2 get-managed-prefix-list-entries \\
    --prefix-list-id <prefix-list-id>
"""
)

# Authorise the narrow source first so that clients never lose access in between.
OPEN_PORT_CLI = """\
aws ec2 authorize-security-group-ingress \\
    --group-id <security-group-id> \\
    --ip-permissions "IpProtocol=tcp,FromPort=<cache-port>,ToPort=<cache-port>,UserIdGroupPairs=[{GroupId=<app-security-group-id>}]"
aws ec2 revoke-security-group-ingress \\
    --group-id <security-group-id> \\
    --security-group-rule-ids <open-ipv4-rule-id> <open-ipv6-rule-id>
"""

UNTRUSTED_SOURCE_CLI = """\
aws ec2 authorize-security-group-ingress \\
    --group-id <security-group-id> \\
    --ip-permissions "IpProtocol=tcp,FromPort=<cache-port>,ToPort=<cache-port>,IpRanges=[{CidrIp=<trusted-cidr>}]"
aws ec2 revoke-security-group-ingress \\
    --group-id <security-group-id> \\
    --security-group-rule-ids <untrusted-rule-id>
aws ec2 describe-security-group-rules \\
    --filters Name=group-id,Values=<security-group-id> \\
    --query "SecurityGroupRules[].[SecurityGroupRuleId,IsEgress,FromPort,ToPort,CidrIpv4,CidrIpv6,ReferencedGroupInfo.GroupId]"
"""


def _security_group_template(extra_parameters: str, extra_ingress: str) -> str:
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: Cache security group that admits the cache port only from known sources
Parameters:
  VpcId:
    Type: AWS::EC2::VPC::Id
    Description: VPC of the cache
  AppSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group of the application instances or tasks that use the cache
  CachePort:
    Type: Number
    Description: Port of the cache endpoint
    Default: 6379
{extra_parameters}\
Resources:
  CacheSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Cache access from known sources only
      VpcId: !Ref VpcId
      SecurityGroupIngress:
        - Description: Application tier
          IpProtocol: tcp
          FromPort: !Ref CachePort
          ToPort: !Ref CachePort
          SourceSecurityGroupId: !Ref AppSecurityGroupId
{extra_ingress}\
Outputs:
  CacheSecurityGroupId:
    Description: Attach this group to the cache (SecurityGroupIds)
    Value: !GetAtt CacheSecurityGroup.GroupId
"""


OPEN_PORT_CFN = _security_group_template("", "")
UNTRUSTED_SOURCE_CFN = _security_group_template(
    """\
  TrustedCidr:
    Type: String
    Description: A network from the policy's trusted CIDR list (for example an office VPN)
    AllowedPattern: ^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$
""",
    """\
        - Description: Trusted network from the policy
          IpProtocol: tcp
          FromPort: !Ref CachePort
          ToPort: !Ref CachePort
          CidrIp: !Ref TrustedCidr
""",
)


def _security_group_terraform(extra_rule: str) -> str:
    return f"""\
resource "aws_security_group" "cache" {{
  name        = "example-cache"
  description = "Cache access from known sources only"
  vpc_id      = "vpc-0123456789abcdef0"
}}

resource "aws_vpc_security_group_ingress_rule" "cache_from_app" {{
  security_group_id            = aws_security_group.cache.id
  description                  = "Application tier"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = "sg-0aaaaaaaaaaaaaaaa"
}}
{extra_rule}"""


OPEN_PORT_TERRAFORM = _security_group_terraform("")
UNTRUSTED_SOURCE_TERRAFORM = _security_group_terraform(
    """
resource "aws_vpc_security_group_ingress_rule" "cache_from_trusted_network" {
  security_group_id = aws_security_group.cache.id
  description       = "Trusted network from the policy"
  ip_protocol       = "tcp"
  from_port         = 6379
  to_port           = 6379
  cidr_ipv4         = "10.20.0.0/16"
}
"""
)

# --- CW-306: non-default port -----------------------------------------------------------

PORT_AUDIT = """\
aws elasticache describe-replication-groups \\
    --replication-group-id <replication-group-id> \\
    --query "ReplicationGroups[0].[ConfigurationEndpoint.Port,NodeGroups[0].PrimaryEndpoint.Port]"
aws elasticache describe-cache-clusters \\
    --cache-cluster-id <cache-cluster-id> \\
    --show-cache-node-info \\
    --query "CacheClusters[0].[Engine,ConfigurationEndpoint.Port,CacheNodes[0].Endpoint.Port]"
"""

# The port is fixed when a group is created: open the new port first, then rebuild on it.
PORT_CLI = """\
aws ec2 authorize-security-group-ingress \\
    --group-id <security-group-id> \\
    --ip-permissions "IpProtocol=tcp,FromPort=<new-port>,ToPort=<new-port>,UserIdGroupPairs=[{GroupId=<app-security-group-id>}]"
""" + rebuild_cli(
    "--replication-group-id <replication-group-id>",
    create_copy("Rebuild of <replication-group-id> on a non-default port", port="<new-port>"),
    _DELETE_GROUP,
)

PORT_CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: Valkey replication group listening on a non-default port
Parameters:
  CacheSubnetGroupName:
    Type: String
    Description: Existing cache subnet group made of private subnets
  VpcId:
    Type: AWS::EC2::VPC::Id
    Description: VPC of the cache
  AppSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group of the application tier that uses the cache
  CachePort:
    Type: Number
    Description: Any port other than 6379 (Redis OSS, Valkey) and 11211 (Memcached)
    Default: 6390
Resources:
  CacheSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Cache port from the application tier only
      VpcId: !Ref VpcId
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: !Ref CachePort
          ToPort: !Ref CachePort
          SourceSecurityGroupId: !Ref AppSecurityGroupId
  ReplicationGroup:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: Cache on a non-default port
      Engine: valkey
      EngineVersion: "7.2"
      CacheNodeType: cache.t4g.micro
      NumCacheClusters: 2
      AutomaticFailoverEnabled: true
      CacheSubnetGroupName: !Ref CacheSubnetGroupName
      SecurityGroupIds:
        - !GetAtt CacheSecurityGroup.GroupId
      # Fixed at creation: a new port means a new replication group.
      Port: !Ref CachePort
      AtRestEncryptionEnabled: true
      TransitEncryptionEnabled: true
"""

PORT_TERRAFORM = """\
resource "aws_elasticache_replication_group" "example" {
  replication_group_id       = "example-cache"
  description                = "Cache on a non-default port"
  engine                     = "valkey"
  engine_version             = "7.2"
  node_type                  = "cache.t4g.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  subnet_group_name          = "example-private-subnets"
  security_group_ids         = ["sg-0123456789abcdef0"]
  # Changing the port forces a new replication group.
  port                       = 6390
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
}
"""

# CW-307: find the VPC of a cache's subnets and whether it is the region's default VPC.
DEFAULT_VPC_AUDIT = """\
aws ec2 describe-vpcs --filters Name=is-default,Values=true --query "Vpcs[].VpcId"
aws elasticache describe-cache-subnet-groups \\
    --cache-subnet-group-name <cache-subnet-group-name> \\
    --query "CacheSubnetGroups[0].VpcId"
aws elasticache describe-serverless-caches \\
    --serverless-cache-name <serverless-cache-name> \\
    --query "ServerlessCaches[0].SubnetIds"
aws ec2 describe-subnets --subnet-ids <subnet-id> --query "Subnets[].[SubnetId,VpcId]"
"""
