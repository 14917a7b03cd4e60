"""CloudTrail records shaped like AWS's, for the pure tests (no fake AWS needed)."""

from __future__ import annotations

import json
from typing import Any

ARN = "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice@example.com"


def envelope(name: str, params: dict[str, Any] | None, **detail: Any) -> str:
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": ARN,
            "accountId": "123456789012",
            "accessKeyId": "ASIAEXAMPLEKEY",
            "sessionContext": {
                "sessionIssuer": {
                    "arn": "arn:aws:iam::123456789012:role/PlatformAdmin",
                    "userName": "PlatformAdmin",
                }
            },
        },
        "eventTime": "2026-05-04T10:11:12Z",
        "eventSource": "elasticache.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.17.0",
        "requestParameters": params,
        "eventID": "0f4b7c1e-1111-2222-3333-444455556666",
        "recipientAccountId": "123456789012",
        **detail,
    }
    return json.dumps(
        {
            "version": "0",
            "id": "abc",
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.elasticache",
            "time": "2026-05-04T10:11:13Z",
            "region": "eu-west-1",
            "resources": [],
            "detail": record,
        }
    )
