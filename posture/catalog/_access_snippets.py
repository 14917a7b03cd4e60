"""Long CLI, CloudFormation and Terraform texts of the authentication rules (CW-201..CW-205).

Secrets never appear in templates: CloudFormation generates them in Secrets Manager and
resolves them with dynamic references; Terraform takes them from sensitive variables.
"""

from __future__ import annotations

# --- CW-201 / CW-204: AUTH tokens ----------------------------------------------------

AUTH_AUDIT = """\
aws elasticache describe-replication-groups \\
    --replication-group-id <replication-group-id> \\
    --query "ReplicationGroups[0].[AuthTokenEnabled,AuthTokenLastModifiedDate,TransitEncryptionEnabled,MemberClusters[0]]"
aws elasticache describe-cache-clusters \\
    --cache-cluster-id <member-cluster-id> \\
    --query "CacheClusters[0].[Engine,EngineVersion,AuthTokenEnabled]"
"""

# ROTATE adds the token next to what clients use today; SET then makes it the only one.
AUTH_ROTATE_THEN_SET_CLI = """\
aws elasticache modify-replication-group \\
    --replication-group-id <replication-group-id> \\
    --auth-token <new-auth-token> \\
    --auth-token-update-strategy ROTATE \\
    --apply-immediately
aws elasticache describe-replication-groups \\
    --replication-group-id <replication-group-id> \\
    --query "ReplicationGroups[0].[Status,PendingModifiedValues.AuthTokenStatus,AuthTokenLastModifiedDate]"
aws elasticache modify-replication-group \\
    --replication-group-id <replication-group-id> \\
    --auth-token <new-auth-token> \\
    --auth-token-update-strategy SET \\
    --apply-immediately
"""

_AUTH_SECRET_RESOURCE = """\
  AuthTokenSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Description: AUTH token of the cache (letters and digits, 64 characters)
      GenerateSecretString:
        SecretStringTemplate: "{}"
        GenerateStringKey: token
        PasswordLength: 64
        ExcludePunctuation: true
        RequireEachIncludedType: true
"""


def _auth_template(engine_version: str, note: str) -> str:
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: Redis OSS replication group that requires an AUTH token kept in Secrets Manager
Parameters:
  CacheSubnetGroupName:
    Type: String
    Description: Existing cache subnet group made of private subnets
  CacheSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group that admits the cache port from the application tier only
Resources:
{_AUTH_SECRET_RESOURCE}\
  ReplicationGroup:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: Cache protected by an AUTH token
      Engine: redis
      EngineVersion: "{engine_version}"
      CacheNodeType: cache.t4g.micro
      NumCacheClusters: 2
      AutomaticFailoverEnabled: true
      CacheSubnetGroupName: !Ref CacheSubnetGroupName
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      AtRestEncryptionEnabled: true
      # AUTH only works over TLS.
      TransitEncryptionEnabled: true
      # {note}
      AuthToken: !Sub "{{{{resolve:secretsmanager:${{AuthTokenSecret}}:SecretString:token}}}}"
"""


AUTH_ENABLE_CFN = _auth_template(
    "5.0.6", "Upgrading to 6.0 or later and using RBAC users (CW-202) is the better fix."
)
AUTH_ROTATE_CFN = _auth_template(
    "7.1",
    "No update-strategy property here: rotate with the CLI (ROTATE, then SET), then update the secret.",
)


def _auth_terraform(engine_version: str, strategy: str) -> str:
    return f"""\
variable "auth_token" {{
  description = "AUTH token: 16 to 128 characters, letters, digits and ! & # $ ^ < > -"
  type        = string
  sensitive   = true
}}

resource "aws_elasticache_replication_group" "example" {{
  replication_group_id       = "example-cache"
  description                = "Cache protected by an AUTH token"
  engine                     = "redis"
  engine_version             = "{engine_version}"
  node_type                  = "cache.t4g.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  subnet_group_name          = "example-private-subnets"
  security_group_ids         = ["sg-0123456789abcdef0"]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  auth_token                 = var.auth_token
  # ROTATE first; apply again with SET once every client sends the new token.
  auth_token_update_strategy = "{strategy}"
  apply_immediately          = true
}}
"""


AUTH_ENABLE_TERRAFORM = _auth_terraform("5.0.6", "ROTATE")
AUTH_ROTATE_TERRAFORM = _auth_terraform("7.1", "ROTATE")

# --- CW-202 / CW-203 / CW-205: RBAC users and user groups ---------------------------

RBAC_GROUP_AUDIT = """\
aws elasticache describe-replication-groups \\
    --replication-group-id <replication-group-id> \\
    --query "ReplicationGroups[0].[AuthTokenEnabled,UserGroupIds,TransitEncryptionEnabled]"
aws elasticache describe-user-groups \\
    --user-group-id <user-group-id> \\
    --query "UserGroups[0].[Status,Engine,UserIds]"
"""

# The group must hold a user named "default"; a disabled one closes anonymous access.
_CREATE_USERS_CLI = """\
aws elasticache create-user \\
    --user-id <disabled-default-user-id> \\
    --user-name default \\
    --engine <engine> \\
    --passwords <strong-password-1> \\
    --access-string "off ~* -@all"
aws elasticache create-user \\
    --user-id <app-user-id> \\
    --user-name <app-user-name> \\
    --engine <engine> \\
    --passwords <strong-password-2> \\
    --access-string "on ~<key-prefix>* -@all +@read +@write"
aws elasticache create-user-group \\
    --user-group-id <user-group-id> \\
    --engine <engine> \\
    --user-ids <disabled-default-user-id> <app-user-id>
"""

RBAC_ATTACH_CLI = (
    _CREATE_USERS_CLI
    + """\
aws elasticache modify-replication-group \\
    --replication-group-id <replication-group-id> \\
    --user-group-ids-to-add <user-group-id> \\
    --apply-immediately
"""
)

OPEN_USER_AUDIT = """\
aws elasticache describe-users \\
    --query "Users[?Authentication.Type=='no-password'].[UserId,UserName,AccessString,UserGroupIds]"
aws elasticache describe-user-groups \\
    --user-group-id <user-group-id> \\
    --query "UserGroups[0].[UserIds,ReplicationGroups,ServerlessCaches]"
"""

OPEN_USER_CLI = """\
aws elasticache create-user \\
    --user-id <disabled-default-user-id> \\
    --user-name default \\
    --engine <engine> \\
    --passwords <strong-password> \\
    --access-string "off ~* -@all"
aws elasticache modify-user-group \\
    --user-group-id <user-group-id> \\
    --user-ids-to-add <disabled-default-user-id> \\
    --user-ids-to-remove default
aws elasticache modify-user \\
    --user-id <open-user-id> \\
    --authentication-mode Type=password,Passwords=<strong-password>
"""

SERVERLESS_GROUP_AUDIT = """\
aws elasticache describe-serverless-caches \\
    --serverless-cache-name <serverless-cache-name> \\
    --query "ServerlessCaches[0].[Engine,UserGroupId]"
"""

SERVERLESS_GROUP_CLI = (
    _CREATE_USERS_CLI
    + """\
aws elasticache modify-serverless-cache \\
    --serverless-cache-name <serverless-cache-name> \\
    --user-group-id <user-group-id>
aws elasticache describe-serverless-caches \\
    --serverless-cache-name <serverless-cache-name> \\
    --query "ServerlessCaches[0].[Status,UserGroupId]"
"""
)


def _password_secret(logical_id: str, purpose: str) -> str:
    return f"""\
  {logical_id}:
    Type: AWS::SecretsManager::Secret
    Properties:
      Description: {purpose}
      GenerateSecretString:
        SecretStringTemplate: "{{}}"
        GenerateStringKey: password
        PasswordLength: 32
        ExcludePunctuation: true
        RequireEachIncludedType: true
"""


_RBAC_USERS_CFN = f"""\
{_password_secret("DefaultUserSecret", "Password of the disabled default user")}\
{_password_secret("AppUserSecret", "Password of the application user")}\
  DisabledDefaultUser:
    Type: AWS::ElastiCache::User
    Properties:
      UserId: example-disabled-default
      # Every user group needs a user named default; this one cannot log in.
      UserName: default
      Engine: valkey
      AccessString: "off ~* -@all"
      AuthenticationMode:
        Type: password
        Passwords:
          - !Sub "{{{{resolve:secretsmanager:${{DefaultUserSecret}}:SecretString:password}}}}"
  AppUser:
    Type: AWS::ElastiCache::User
    Properties:
      UserId: example-app
      UserName: example-app
      Engine: valkey
      AccessString: "on ~app:* -@all +@read +@write"
      AuthenticationMode:
        Type: password
        Passwords:
          - !Sub "{{{{resolve:secretsmanager:${{AppUserSecret}}:SecretString:password}}}}"
  UserGroup:
    Type: AWS::ElastiCache::UserGroup
    Properties:
      UserGroupId: example-users
      Engine: valkey
      UserIds:
        - !Ref DisabledDefaultUser
        - !Ref AppUser
"""

OPEN_USER_CFN = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: RBAC user group whose default user is disabled and whose users need passwords
Resources:
{_RBAC_USERS_CFN}"""

RBAC_ATTACH_CFN = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: Valkey replication group that authenticates clients through RBAC users
Parameters:
  CacheSubnetGroupName:
    Type: String
    Description: Existing cache subnet group made of private subnets
  CacheSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group that admits the cache port from the application tier only
Resources:
{_RBAC_USERS_CFN}\
  ReplicationGroup:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: Cache with RBAC authentication
      Engine: valkey
      EngineVersion: "7.2"
      CacheNodeType: cache.t4g.micro
      NumCacheClusters: 2
      AutomaticFailoverEnabled: true
      CacheSubnetGroupName: !Ref CacheSubnetGroupName
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      AtRestEncryptionEnabled: true
      # RBAC, like AUTH, requires TLS.
      TransitEncryptionEnabled: true
      UserGroupIds:
        - !Ref UserGroup
"""

SERVERLESS_GROUP_CFN = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: Valkey serverless cache that authenticates clients through RBAC users
Parameters:
  SubnetIds:
    Type: List<AWS::EC2::Subnet::Id>
    Description: Private subnets for the cache endpoint
  CacheSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group that admits the cache port from the application tier only
Resources:
{_RBAC_USERS_CFN}\
  ServerlessCache:
    Type: AWS::ElastiCache::ServerlessCache
    Properties:
      ServerlessCacheName: example-cache
      Engine: valkey
      MajorEngineVersion: "8"
      SubnetIds: !Ref SubnetIds
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      UserGroupId: !Ref UserGroup
"""

_RBAC_USERS_TERRAFORM = """\
variable "default_user_password" {
  description = "Password of the disabled default user (16 to 128 characters)"
  type        = string
  sensitive   = true
}

variable "app_user_password" {
  description = "Password of the application user (16 to 128 characters)"
  type        = string
  sensitive   = true
}

# Every user group needs a user named default; this one cannot log in.
resource "aws_elasticache_user" "disabled_default" {
  user_id       = "example-disabled-default"
  user_name     = "default"
  engine        = "valkey"
  access_string = "off ~* -@all"

  authentication_mode {
    type      = "password"
    passwords = [var.default_user_password]
  }
}

resource "aws_elasticache_user" "app" {
  user_id       = "example-app"
  user_name     = "example-app"
  engine        = "valkey"
  access_string = "on ~app:* -@all +@read +@write"

  authentication_mode {
    type      = "password"
    passwords = [var.app_user_password]
  }
}

resource "aws_elasticache_user_group" "example" {
  user_group_id = "example-users"
  engine        = "valkey"
  user_ids = [
    aws_elasticache_user.disabled_default.user_id,
    aws_elasticache_user.app.user_id,
  ]
}
"""

OPEN_USER_TERRAFORM = _RBAC_USERS_TERRAFORM

RBAC_ATTACH_TERRAFORM = f"""\
{_RBAC_USERS_TERRAFORM}
resource "aws_elasticache_replication_group" "example" {{
  replication_group_id       = "example-cache"
  description                = "Cache with RBAC authentication"
  engine                     = "valkey"
  engine_version             = "7.2"
  node_type                  = "cache.t4g.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  subnet_group_name          = "example-private-subnets"
  security_group_ids         = ["sg-0123456789abcdef0"]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  user_group_ids             = [aws_elasticache_user_group.example.user_group_id]
}}
"""

SERVERLESS_GROUP_TERRAFORM = f"""\
{_RBAC_USERS_TERRAFORM}
resource "aws_elasticache_serverless_cache" "example" {{
  name                 = "example-cache"
  engine               = "valkey"
  major_engine_version = "8"
  subnet_ids           = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  security_group_ids   = ["sg-0123456789abcdef0"]
  user_group_id        = aws_elasticache_user_group.example.user_group_id
}}
"""

# CW-206: narrow a password user that can run every or dangerous command on every key.
BROAD_USER_AUDIT = """\
aws elasticache describe-users \\
    --query "Users[?Authentication.Type=='password'].[UserId,UserName,AccessString,UserGroupIds]"
aws elasticache describe-user-groups \\
    --user-group-id <user-group-id> \\
    --query "UserGroups[0].[UserIds,ReplicationGroups,ServerlessCaches]"
"""

# modify-user replaces the whole access string; list what the application really runs
# first (its client code, or ACL LOG on a test copy), because denied commands fail at once.
BROAD_USER_CLI = """\
aws elasticache modify-user \\
    --user-id <user-id> \\
    --access-string "on ~<key-prefix>:* -@all +@read +@write -@dangerous"
aws elasticache describe-users \\
    --user-id <user-id> \\
    --query "Users[0].[Status,AccessString]"
"""

BROAD_USER_CFN = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: Application user limited to its own keys and to non-dangerous commands
Resources:
{_password_secret("AppUserSecret", "Password of the application user")}\
  AppUser:
    Type: AWS::ElastiCache::User
    Properties:
      UserId: example-app
      UserName: example-app
      Engine: valkey
      # Own key prefix only; -@dangerous removes FLUSHALL, KEYS, CONFIG, DEBUG and the like.
      AccessString: "on ~app:* -@all +@read +@write -@dangerous"
      AuthenticationMode:
        Type: password
        Passwords:
          - !Sub "{{{{resolve:secretsmanager:${{AppUserSecret}}:SecretString:password}}}}"
"""

BROAD_USER_TERRAFORM = """\
variable "app_user_password" {
  type      = string
  sensitive = true
}

resource "aws_elasticache_user" "app" {
  user_id   = "example-app"
  user_name = "example-app"
  engine    = "valkey"
  # Own key prefix only; -@dangerous removes FLUSHALL, KEYS, CONFIG, DEBUG and the like.
  access_string = "on ~app:* -@all +@read +@write -@dangerous"

  authentication_mode {
    type      = "password"
    passwords = [var.app_user_password]
  }
}
"""
