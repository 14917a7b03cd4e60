"""The remediation role: its own setting, a guard that refuses undeclared calls, per-rule writes."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.credentials import Credentials
from botocore.stub import Stubber

from posture.remediation import ApiCall
from workers.aws.apply import NotAllowed, apply_call
from workers.aws.session import AccountSession, CallGuard, CallNotAllowed
from workers.fixes.reads import role_for_account
from workers.platform.config import ConfigError, parse_config

AUDIT = "arn:aws:iam::111111111111:role/cachewarden-audit"
FIXER = "arn:aws:iam::111111111111:role/cachewarden-remediation"


def test_fixes_use_the_remediation_role_never_the_audit_role() -> None:
    config = parse_config(
        f'[scan]\nrole_arns = ["{AUDIT}"]\norganization_role = "cachewarden-audit"\n'
        f'[remediation]\nrole_arns = ["{FIXER}"]\n'
    )
    assert role_for_account("111111111111", config) == FIXER
    # No remediation role for this account: the audit organization role is not a fallback.
    assert role_for_account("222222222222", config) is None


def test_an_organization_remediation_role_reaches_any_account() -> None:
    config = parse_config('[remediation]\norganization_role = "cachewarden-remediation"\n')
    assert role_for_account("222222222222", config) == (
        "arn:aws:iam::222222222222:role/cachewarden-remediation"
    )


def test_a_remediation_role_must_be_a_role_arn() -> None:
    with pytest.raises(ConfigError, match=r"remediation\.role_arns"):
        parse_config('[remediation]\nrole_arns = ["cachewarden-remediation"]\n')


def _session(guard: CallGuard | None) -> AccountSession:
    return AccountSession(account_id="111111111111", credentials=Credentials("a", "b"), guard=guard)


def _stubbed(session: AccountSession, service: str) -> tuple[Any, Stubber]:
    client = session.client(session.new_session(), service, "eu-west-1")
    return client, Stubber(client)


def test_the_guard_refuses_an_undeclared_call_before_it_is_sent() -> None:
    seen: list[tuple[str, str]] = []
    guard = CallGuard(
        frozenset({("elasticache", "DescribeReplicationGroups")}),
        on_call=lambda s, o: seen.append((s, o)),
    )
    client, stub = _stubbed(_session(guard), "elasticache")
    stub.add_response("describe_replication_groups", {"ReplicationGroups": []})
    with stub:
        client.describe_replication_groups()
        with pytest.raises(CallNotAllowed, match="elasticache:DeleteReplicationGroup"):
            client.delete_replication_group(ReplicationGroupId="orders")
    assert seen == [("elasticache", "DescribeReplicationGroups")]


def test_a_fix_may_make_only_its_own_rules_writes() -> None:
    revoke = ApiCall(
        service="ec2",
        operation="RevokeSecurityGroupIngress",
        params={"GroupId": "sg-1", "IpPermissions": []},
    )
    with pytest.raises(NotAllowed, match="not a write of the CW-401 fix"):
        apply_call(_session(None), "eu-west-1", revoke, rule_id="CW-401")
    grant = ApiCall(service="ec2", operation="AuthorizeSecurityGroupIngress", params={})
    with pytest.raises(NotAllowed):
        apply_call(_session(None), "eu-west-1", grant, rule_id="CW-304")
