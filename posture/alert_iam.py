"""The least-privilege policy of `cachewarden listen`, generated from the calls it makes.

The listener only reads and deletes queue messages; the re-read of a changed cache runs in
the worker under the audit role (`cachewarden iam-policy audit`).
SQS actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
(a batch call is authorised by its single-message action).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

# boto3 method the listener calls -> the IAM action that authorises it
LISTENER_CALLS: Mapping[str, str] = MappingProxyType(
    {
        "receive_message": "sqs:ReceiveMessage",
        "delete_message_batch": "sqs:DeleteMessage",
        "change_message_visibility_batch": "sqs:ChangeMessageVisibility",
        "get_queue_attributes": "sqs:GetQueueAttributes",
    }
)
QUEUE_ARN = "arn:aws:sqs:REGION:ACCOUNT_ID:cachewarden-alerts"
DLQ_ARN = "arn:aws:sqs:REGION:ACCOUNT_ID:cachewarden-alerts-dlq"


def listen_policy() -> dict[str, Any]:
    actions = sorted(set(LISTENER_CALLS.values()))
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CachewardenListenQueue",
                "Effect": "Allow",
                "Action": actions,
                "Resource": QUEUE_ARN,
            },
            {
                "Sid": "CachewardenListenDlqDepth",
                "Effect": "Allow",
                "Action": ["sqs:GetQueueAttributes"],
                "Resource": DLQ_ARN,
            },
        ],
    }


def render_listen_policy() -> str:
    return json.dumps(listen_policy(), indent=2)
