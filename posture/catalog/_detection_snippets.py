"""CLI and infrastructure-as-code fixes for the detection rules (CW-501..CW-505).

Cache templates reuse the replication-group builders of the resilience snippets;
the CloudTrail and IAM fixes are account-level and written out in full.
"""

from __future__ import annotations

from posture.catalog._resilience_snippets import (
    cfn_replication_group,
    cfn_template,
    terraform_replication_group,
)

LOG_DELIVERY_CLI = """\
aws logs create-log-group --log-group-name /elasticache/<replication-group-id>
aws logs put-retention-policy --log-group-name /elasticache/<replication-group-id> \\
  --retention-in-days 90
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --apply-immediately --log-delivery-configurations \\
  'LogType=slow-log,DestinationType=cloudwatch-logs,LogFormat=json,Enabled=true,DestinationDetails={CloudWatchLogsDetails={LogGroup=/elasticache/<replication-group-id>}}' \\
  'LogType=engine-log,DestinationType=cloudwatch-logs,LogFormat=json,Enabled=true,DestinationDetails={CloudWatchLogsDetails={LogGroup=/elasticache/<replication-group-id>}}'
"""

_LOG_GROUPS = """\
  SlowLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /elasticache/${ReplicationGroupId}/slow-log
      RetentionInDays: 90
  EngineLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /elasticache/${ReplicationGroupId}/engine-log
      RetentionInDays: 90
"""

LOG_DELIVERY_CFN = cfn_template(
    "Replication group that streams its slow log and engine log to CloudWatch Logs",
    _LOG_GROUPS
    + cfn_replication_group(
        "Valkey cache with slow log and engine log delivery",
        """\
      LogDeliveryConfigurations:
        - LogType: slow-log
          LogFormat: json
          DestinationType: cloudwatch-logs
          DestinationDetails:
            CloudWatchLogsDetails:
              LogGroup: !Ref SlowLogGroup
        - LogType: engine-log
          LogFormat: json
          DestinationType: cloudwatch-logs
          DestinationDetails:
            CloudWatchLogsDetails:
              LogGroup: !Ref EngineLogGroup
""",
    ),
)

LOG_DELIVERY_TERRAFORM = """\
resource "aws_cloudwatch_log_group" "slow_log" {
  name              = "/elasticache/orders-cache/slow-log"
  retention_in_days = 90
}

resource "aws_cloudwatch_log_group" "engine_log" {
  name              = "/elasticache/orders-cache/engine-log"
  retention_in_days = 90
}

""" + terraform_replication_group(
    "Valkey cache with slow log and engine log delivery",
    """\
  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.slow_log.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.engine_log.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "engine-log"
  }
""",
)

TAGS_CLI = """\
aws elasticache add-tags-to-resource --resource-name <resource-arn> \\
  --tags Key=owner,Value=<owning-team> Key=data-classification,Value=<classification>
"""

TAGS_CFN = cfn_template(
    "Replication group carrying the tags the organisation requires",
    cfn_replication_group(
        "Valkey cache with owner and data classification tags",
        """\
      Tags:
        - Key: owner
          Value: !Ref OwnerTeam
        - Key: data-classification
          Value: !Ref DataClassification
""",
    ),
    """\
  OwnerTeam:
    Type: String
    Description: Team that owns the cache and answers its findings
  DataClassification:
    Type: String
    Description: Most sensitive class of data the cache holds
    AllowedValues: [public, internal, confidential, restricted]
""",
)

TAGS_TERRAFORM = terraform_replication_group(
    "Valkey cache with owner and data classification tags",
    """\
  tags = {
    "owner"               = "payments-team"
    "data-classification" = "confidential"
  }
""",
)

TRAIL_CLI = """\
aws cloudtrail create-trail --name <trail-name> --s3-bucket-name <log-bucket-name> \\
  --is-multi-region-trail --include-global-service-events --enable-log-file-validation
aws cloudtrail put-event-selectors --trail-name <trail-name> \\
  --event-selectors '[{"ReadWriteType": "All", "IncludeManagementEvents": true}]'
aws cloudtrail start-logging --name <trail-name>
"""

TRAIL_CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: Multi-Region trail that records every management event, ElastiCache included
Parameters:
  TrailName:
    Type: String
    Description: Name of the trail
Resources:
  TrailBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
  TrailBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref TrailBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: CloudTrailReadsBucketAcl
            Effect: Allow
            Principal:
              Service: cloudtrail.amazonaws.com
            Action: s3:GetBucketAcl
            Resource: !GetAtt TrailBucket.Arn
            Condition:
              StringEquals:
                aws:SourceArn: !Sub arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/${TrailName}
          - Sid: CloudTrailWritesLogs
            Effect: Allow
            Principal:
              Service: cloudtrail.amazonaws.com
            Action: s3:PutObject
            Resource: !Sub ${TrailBucket.Arn}/AWSLogs/${AWS::AccountId}/*
            Condition:
              StringEquals:
                s3:x-amz-acl: bucket-owner-full-control
                aws:SourceArn: !Sub arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/${TrailName}
  Trail:
    Type: AWS::CloudTrail::Trail
    DependsOn: TrailBucketPolicy
    Properties:
      TrailName: !Ref TrailName
      S3BucketName: !Ref TrailBucket
      IncludeGlobalServiceEvents: true
      EnableLogFileValidation: true
      # The compliant settings:
      IsLogging: true
      IsMultiRegionTrail: true
      EventSelectors:
        - ReadWriteType: All
          IncludeManagementEvents: true
"""

TRAIL_TERRAFORM = """\
resource "aws_cloudtrail" "management_events" {
  name                          = "management-events"
  s3_bucket_name                = "example-org-cloudtrail-logs" # its policy must let CloudTrail write
  include_global_service_events = true
  enable_log_file_validation    = true

  # The compliant settings:
  enable_logging        = true
  is_multi_region_trail = true

  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }
}
"""

NOTIFICATIONS_CLI = """\
aws sns create-topic --name <topic-name>
aws sns set-topic-attributes --topic-arn <sns-topic-arn> --attribute-name Policy \\
  --attribute-value file://<topic-policy-allowing-elasticache>.json
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --notification-topic-arn <sns-topic-arn> --notification-topic-status active --apply-immediately
aws elasticache modify-cache-cluster --cache-cluster-id <cache-cluster-id> \\
  --notification-topic-arn <sns-topic-arn> --notification-topic-status active --apply-immediately
"""

_EVENTS_TOPIC = """\
  CacheEventsTopic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub ${ReplicationGroupId}-events
      Subscription:
        - Protocol: email
          Endpoint: !Ref OnCallEmail
  CacheEventsTopicPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics:
        - !Ref CacheEventsTopic
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: ElastiCacheOfThisAccountPublishes
            Effect: Allow
            Principal:
              AWS: "*"
            Action: sns:Publish
            Resource: !Ref CacheEventsTopic
            Condition:
              StringEquals:
                AWS:SourceOwner: !Ref AWS::AccountId
"""

NOTIFICATIONS_CFN = cfn_template(
    "Replication group that publishes its events to an unencrypted SNS topic in the same Region",
    _EVENTS_TOPIC
    + cfn_replication_group(
        "Valkey cache with event notifications",
        "      NotificationTopicArn: !Ref CacheEventsTopic\n",
    ),
    """\
  OnCallEmail:
    Type: String
    Description: Address that receives cache events
""",
)

NOTIFICATIONS_TERRAFORM = """\
data "aws_caller_identity" "current" {}

# ElastiCache cannot publish to an encrypted topic, so no KMS key is set here.
resource "aws_sns_topic" "cache_events" {
  name = "orders-cache-events"
}

resource "aws_sns_topic_policy" "cache_events" {
  arn = aws_sns_topic.cache_events.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ElastiCacheOfThisAccountPublishes"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.cache_events.arn
      Condition = { StringEquals = { "AWS:SourceOwner" = data.aws_caller_identity.current.account_id } }
    }]
  })
}

""" + terraform_replication_group(
    "Valkey cache with event notifications",
    "  notification_topic_arn = aws_sns_topic.cache_events.arn\n",
)

SCOPED_IAM_CLI = """\
aws iam list-policy-versions --policy-arn <policy-arn>
aws iam create-policy-version --policy-arn <policy-arn> \\
  --policy-document file://<scoped-policy-document>.json --set-as-default
aws iam delete-policy-version --policy-arn <policy-arn> --version-id <oldest-unused-version-id>
"""

SCOPED_IAM_CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: Managed policy that operates one replication group instead of every ElastiCache resource
Parameters:
  RoleName:
    Type: String
    Description: Role of the team that operates the cache
  ReplicationGroupId:
    Type: String
    Description: The replication group this role may change
Resources:
  ScopedCachePolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Description: Read ElastiCache everywhere, change only the team's own replication group
      Roles:
        - !Ref RoleName
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: ReadEverywhere
            Effect: Allow
            Action:
              - elasticache:Describe*
              - elasticache:List*
            Resource: "*"
          - Sid: ChangeOwnGroupOnly
            Effect: Allow
            Action:
              - elasticache:ModifyReplicationGroup
              - elasticache:TestFailover
              - elasticache:CreateSnapshot
            Resource:
              - !Sub arn:${AWS::Partition}:elasticache:${AWS::Region}:${AWS::AccountId}:replicationgroup:${ReplicationGroupId}
              - !Sub arn:${AWS::Partition}:elasticache:${AWS::Region}:${AWS::AccountId}:snapshot:${ReplicationGroupId}-*
"""

SCOPED_IAM_TERRAFORM = """\
resource "aws_iam_policy" "orders_cache_operator" {
  name        = "orders-cache-operator"
  description = "Read ElastiCache everywhere, change only the team's own replication group"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadEverywhere"
        Effect   = "Allow"
        Action   = ["elasticache:Describe*", "elasticache:List*"]
        Resource = "*"
      },
      {
        Sid    = "ChangeOwnGroupOnly"
        Effect = "Allow"
        Action = ["elasticache:ModifyReplicationGroup", "elasticache:TestFailover", "elasticache:CreateSnapshot"]
        Resource = [
          "arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:orders-cache",
          "arn:aws:elasticache:eu-west-1:123456789012:snapshot:orders-cache-*",
        ]
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "orders_cache_operator" {
  role       = "orders-cache-operators"
  policy_arn = aws_iam_policy.orders_cache_operator.arn
}
"""
