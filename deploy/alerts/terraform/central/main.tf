# cachewarden real-time alerts, central part (Terraform twin of ../../cloudformation/central.json).
# An event bus members forward to, rules for this region's own calls, and the SQS queue with
# its dead-letter queue that `cachewarden listen` reads. Every forwarding account and region
# needs a CloudTrail trail recording management events; rules stay in plain ENABLED state.
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-ct-api-tutorial.html
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "queue_name" {
  type    = string
  default = "cachewarden-alerts"
}

variable "bus_name" {
  type    = string
  default = "cachewarden-alerts"
}

variable "organization_id" {
  description = "Empty: only this account forwards. Set (o-...): every account of the organization may."
  type        = string
  default     = ""
}

variable "max_receive_count" {
  type    = number
  default = 5
}

variable "visibility_timeout" {
  type    = number
  default = 120
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  patterns = jsondecode(file("${path.module}/../../event-patterns.json"))
  rules = {
    local_elasticache     = { bus = "default", pattern = local.patterns.elasticache }
    local_security_group  = { bus = "default", pattern = local.patterns.ec2 }
    forwarded_elasticache = { bus = aws_cloudwatch_event_bus.alerts.name, pattern = local.patterns.elasticache }
    forwarded_sg          = { bus = aws_cloudwatch_event_bus.alerts.name, pattern = local.patterns.ec2 }
  }
}

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.queue_name}-dlq"
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "alerts" {
  name                       = var.queue_name
  sqs_managed_sse_enabled    = true
  visibility_timeout_seconds = var.visibility_timeout
  receive_wait_time_seconds  = 20
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
}

resource "aws_cloudwatch_event_bus" "alerts" {
  name = var.bus_name
}

data "aws_iam_policy_document" "bus" {
  statement {
    sid       = "cachewarden-forwarders"
    effect    = "Allow"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.alerts.arn]
    principals {
      type        = "AWS"
      identifiers = var.organization_id == "" ? ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"] : ["*"]
    }
    dynamic "condition" {
      for_each = var.organization_id == "" ? [] : [var.organization_id]
      content {
        test     = "StringEquals"
        variable = "aws:PrincipalOrgID"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_cloudwatch_event_bus_policy" "alerts" {
  event_bus_name = aws_cloudwatch_event_bus.alerts.name
  policy         = data.aws_iam_policy_document.bus.json
}

resource "aws_cloudwatch_event_rule" "alerts" {
  for_each       = local.rules
  name           = "cachewarden-${replace(each.key, "_", "-")}"
  description    = "cachewarden: ElastiCache and security group write calls"
  event_bus_name = each.value.bus
  state          = "ENABLED"
  event_pattern  = jsonencode(each.value.pattern)
}

resource "aws_cloudwatch_event_target" "alerts" {
  for_each       = local.rules
  rule           = aws_cloudwatch_event_rule.alerts[each.key].name
  event_bus_name = each.value.bus
  target_id      = "alert-queue"
  arn            = aws_sqs_queue.alerts.arn
  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }
  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }
}

data "aws_iam_policy_document" "queue" {
  statement {
    sid       = "EventBridgeRulesOnly"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.alerts.arn, aws_sqs_queue.dlq.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for rule in aws_cloudwatch_event_rule.alerts : rule.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "alerts" {
  queue_url = aws_sqs_queue.alerts.id
  policy    = data.aws_iam_policy_document.queue.json
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = data.aws_iam_policy_document.queue.json
}

output "queue_url" {
  value = aws_sqs_queue.alerts.id
}

output "dlq_url" {
  value = aws_sqs_queue.dlq.id
}

output "event_bus_arn" {
  value = aws_cloudwatch_event_bus.alerts.arn
}
