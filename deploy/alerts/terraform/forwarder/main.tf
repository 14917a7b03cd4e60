# cachewarden real-time alerts, forwarding part (Terraform twin of
# ../../cloudformation/forwarder.json): apply in every account and region to watch, except the
# central stack's own account and region. For a whole organization, the CloudFormation
# StackSet (service-managed, automatic deployment to OUs) is the simpler road.
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

variable "central_event_bus_arn" {
  description = "event_bus_arn output of the central module"
  type        = string
}

data "aws_caller_identity" "current" {}

locals {
  patterns = jsondecode(file("${path.module}/../../event-patterns.json"))
  rules = {
    elasticache    = local.patterns.elasticache
    security_group = local.patterns.ec2
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

data "aws_iam_policy_document" "put" {
  statement {
    effect    = "Allow"
    actions   = ["events:PutEvents"]
    resources = [var.central_event_bus_arn]
  }
}

resource "aws_iam_role" "forward" {
  name_prefix        = "cachewarden-forward-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "forward" {
  role   = aws_iam_role.forward.id
  policy = data.aws_iam_policy_document.put.json
}

resource "aws_cloudwatch_event_rule" "forward" {
  for_each      = local.rules
  name          = "cachewarden-forward-${replace(each.key, "_", "-")}"
  description   = "cachewarden: forward write calls to the central bus"
  state         = "ENABLED"
  event_pattern = jsonencode(each.value)
}

resource "aws_cloudwatch_event_target" "forward" {
  for_each  = local.rules
  rule      = aws_cloudwatch_event_rule.forward[each.key].name
  target_id = "central-bus"
  arn       = var.central_event_bus_arn
  role_arn  = aws_iam_role.forward.arn
}
