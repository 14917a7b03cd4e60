"""Real-time alert plumbing in the fake AWS: EventBridge rules -> SQS queue -> DLQ, and events.

moto does not emit CloudTrail events for its own API calls, so after making a change in
the fake, call `emit_api_call` with the call's name and parameters: it puts the event
EventBridge would deliver ("AWS API Call via CloudTrail", a CloudTrail record in
`detail` with lowerCamelCase requestParameters, userIdentity, recipientAccountId,
awsRegion, eventTime and eventID) on the default bus, where the rules match it exactly
as they would in AWS (moto honours `exists: false` on errorCode).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from posture.alerts import DETAIL_TYPE, EC2, ELASTICACHE, event_patterns

ACCOUNT = "123456789012"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
HUMAN = f"arn:aws:sts::{ACCOUNT}:assumed-role/PlatformAdmin/alice@example.com"
BOT = f"arn:aws:sts::{ACCOUNT}:assumed-role/cachewarden-remediation/cachewarden"


@dataclass(frozen=True)
class AlertPlumbing:
    queue_url: str
    dlq_url: str
    rule_names: tuple[str, ...]


def _client(url: str, service: str, region: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name=region, **KEYS)


def create_alert_plumbing(
    url: str,
    region: str,
    *,
    name: str = "cachewarden-alerts",
    max_receive_count: int = 3,
    visibility_seconds: int = 30,
) -> AlertPlumbing:
    """The queue, its DLQ (RedrivePolicy) and the two rules, as deploy/alerts/ defines them."""
    sqs = _client(url, "sqs", region)
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
    queue_url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "RedrivePolicy": json.dumps(redrive),
            "VisibilityTimeout": str(visibility_seconds),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events = _client(url, "events", region)
    names = []
    for suffix, pattern in zip(("elasticache", "ec2"), event_patterns(), strict=True):
        rule = f"{name}-{suffix}"
        events.put_rule(Name=rule, EventPattern=json.dumps(pattern), State="ENABLED")
        events.put_targets(Rule=rule, Targets=[{"Id": "queue", "Arn": queue_arn}])
        names.append(rule)
    return AlertPlumbing(queue_url=queue_url, dlq_url=dlq_url, rule_names=tuple(names))


def api_call_detail(
    event_name: str,
    request_parameters: dict[str, Any],
    *,
    region: str,
    account: str = ACCOUNT,
    principal: str = HUMAN,
    event_id: str | None = None,
    event_time: datetime | None = None,
    source: str = ELASTICACHE,
    error_code: str | None = None,
) -> dict[str, Any]:
    """The CloudTrail record of one successful (or failed) call, shaped like AWS's."""
    role, _, session = principal.split(":assumed-role/", 1)[-1].partition("/")
    detail: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLE:{session}",
            "arn": principal,
            "accountId": account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLE",
                    "arn": f"arn:aws:iam::{account}:role/{role}",
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {"mfaAuthenticated": "false"},
            },
        },
        "eventTime": (event_time or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.17.0 Python/3.11",
        "requestParameters": request_parameters,
        "responseElements": None if error_code else {},
        "requestID": str(uuid.uuid4()),
        "eventID": event_id or str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    if error_code:
        detail["errorCode"] = error_code
        detail["errorMessage"] = "denied"
    return detail


def emit_api_call(url: str, detail: dict[str, Any]) -> None:
    """Put the event EventBridge would build from `detail` on the default bus."""
    source = "aws.ec2" if detail["eventSource"] == EC2 else "aws.elasticache"
    events = _client(url, "events", str(detail["awsRegion"]))
    answer = events.put_events(
        Entries=[{"Source": source, "DetailType": DETAIL_TYPE, "Detail": json.dumps(detail)}]
    )
    if answer.get("FailedEntryCount"):
        raise RuntimeError(f"put_events failed: {answer['Entries']}")


def send_raw(url: str, queue_url: str, region: str, body: str) -> None:
    """A message straight onto the queue (malformed input for the DLQ tests)."""
    _client(url, "sqs", region).send_message(QueueUrl=queue_url, MessageBody=body)


def queue_depth(url: str, queue_url: str, region: str) -> tuple[int, int]:
    """(visible, in flight) messages of a queue."""
    attrs = _client(url, "sqs", region).get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def emit_api_calls(url: str, details: list[dict[str, Any]]) -> None:
    """Many events, ten per PutEvents call (the API's limit)."""
    if not details:
        return
    events = _client(url, "events", str(details[0]["awsRegion"]))
    for start in range(0, len(details), 10):
        entries = [
            {
                "Source": "aws.ec2" if d["eventSource"] == EC2 else "aws.elasticache",
                "DetailType": DETAIL_TYPE,
                "Detail": json.dumps(d),
            }
            for d in details[start : start + 10]
        ]
        answer = events.put_events(Entries=entries)
        if answer.get("FailedEntryCount"):
            raise RuntimeError(f"put_events failed: {answer['Entries']}")
