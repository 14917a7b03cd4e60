"""Account-wide detection: CW-503 (API activity recorded) and CW-505 (least-privilege IAM),
each catalog entry with its check below it.
"""

from __future__ import annotations

from posture.base import ResourceKind, Severity
from posture.catalog import _detection_snippets as iac
from posture.catalog.detection import ALL_ENGINES, DOCS, FAMILY
from posture.catalog.model import FixKind, Remediation, Rule, RuleCategory
from posture.resources import IamPolicyFact, Inventory, Trail
from posture.rules.context import RuleContext, Verdict, check, failed, passed


def _covers_region(trail: Trail, region: str) -> bool:
    return trail.is_multi_region_trail or trail.home_region == region


def _has_trails(inventory: Inventory, ctx: RuleContext) -> bool:
    """No trail data (not collected): CW-503 produces no finding rather than a wrong one."""
    return inventory.trails is not None


CW_503 = Rule(
    id="CW-503",
    title="A CloudTrail trail records management events in the region",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="No logging trail records management events in the region",
    family=FAMILY,
    resource_kinds=(ResourceKind.ACCOUNT_REGION,),
    engines=ALL_ENGINES,
    rationale=(
        "Every change to a cache is an ElastiCache API call: turning off encryption, attaching "
        "an open security group, replacing the AUTH token, deleting a cluster without a final "
        "snapshot. Without a logging trail that records management events in the region, those "
        "calls survive only 90 days in the event history, so a responder cannot say later who "
        "changed what and when. CloudTrail does not see the commands clients send to the cache; "
        "the slow and engine logs (CW-501) cover part of that."
    ),
    audit="""\
aws cloudtrail describe-trails --include-shadow-trails \\
  --query "trailList[].[Name,TrailARN,HomeRegion,IsMultiRegionTrail]"
aws cloudtrail get-trail-status --name <trail-arn> --query "IsLogging"
aws cloudtrail get-event-selectors --trail-name <trail-arn>
""",
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.TRAIL_CLI,
        cloudformation=iac.TRAIL_CFN,
        terraform=iac.TRAIL_TERRAFORM,
        console=(
            "Check with the security team first: an organisation trail may already cover the "
            "account and only needs this region or management events added.",
            "Open the CloudTrail console and choose Trails, then Create trail.",
            "Pick or create an S3 bucket whose policy lets CloudTrail write, turn on log file "
            "validation, and keep the trail applied to all Regions.",
            "Under events select Management events with Read and Write, then create the trail "
            "and confirm its status shows Logging.",
        ),
        permissions=(
            "cloudtrail:CreateTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:StartLogging",
            "s3:CreateBucket",
            "s3:PutBucketPolicy",
        ),
    ),
    backout=(
        "Stop or delete the trail (aws cloudtrail stop-logging --name <trail-name>, then "
        "delete-trail) only once another trail covers the region, since every later change "
        "would go unrecorded. Log files already delivered stay in the bucket."
    ),
    compliance=(
        "CIS AWS Foundations 3.1",
        "PCI DSS v4.0 10.2.1",
        "NIST SP 800-53 AU-2",
        "NIST SP 800-53 AU-12",
        "HIPAA 164.312(b)",
        "SOC 2 CC7.2",
    ),
    permissions=(
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
    ),
    references=(
        f"{DOCS}/dg/logging-using-cloudtrail.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html",
    ),
)


@check(CW_503, applies=_has_trails)
def check_api_activity_recorded(inventory: Inventory, ctx: RuleContext) -> Verdict:
    """CW-503: without a trail, nobody can tell who changed or deleted a cache."""
    where = f"account {inventory.account} region {inventory.region}"
    trails = inventory.trails or ()
    covering = [t for t in trails if _covers_region(t, inventory.region)]
    recording = [t.name for t in covering if t.is_logging and t.records_management_events]
    if recording:
        return passed(f"{where}: trail {', '.join(recording)} records management events")
    if covering:
        names = ", ".join(t.name for t in covering)
        return failed(
            f"{where}: trail {names} covers the region but is stopped or skips management events"
        )
    return failed(f"{where}: no CloudTrail trail covers this region")


def _is_admin(principal: str, admins: tuple[str, ...]) -> bool:
    """Admins may be listed by full ARN or by the name after the last slash."""
    name = principal.rsplit("/", 1)[-1]
    return principal in admins or name in admins


def _broad_grants(policies: tuple[IamPolicyFact, ...], admins: tuple[str, ...]) -> list[str]:
    grants: list[str] = []
    for policy in policies:
        if not policy.allows_broad_elasticache:
            continue
        outsiders = [p for p in policy.attached_to if not _is_admin(p, admins)]
        if outsiders:
            actions = ", ".join(policy.broad_actions) or "broad ElastiCache actions"
            name = policy.policy_name or policy.policy_arn
            grants.append(f"{name} ({actions}) attached to {', '.join(outsiders)}")
    return grants


def _has_iam_policies(inventory: Inventory, ctx: RuleContext) -> bool:
    return inventory.iam_policies is not None


CW_505 = Rule(
    id="CW-505",
    title="No customer-managed IAM policy grants broad ElastiCache rights on every resource",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="A customer-managed IAM policy grants broad ElastiCache rights on every resource",
    family=FAMILY,
    resource_kinds=(ResourceKind.ACCOUNT,),
    engines=ALL_ENGINES,
    rationale=(
        "A principal allowed elasticache:* or elasticache:Modify* on every resource can turn off "
        "encryption in transit, reset AUTH tokens, swap user groups, attach an open security "
        "group or delete any cluster without a final snapshot. Leaked credentials for such a role "
        "undo every other control in this catalog at once, across all caches of the account. "
        "Apart from the admin principals named in the policy file, grant only the actions a team "
        "needs, on the ARNs of its own caches."
    ),
    audit="""\
aws iam list-policies --scope Local --only-attached --query "Policies[].[Arn,DefaultVersionId]"
aws iam get-policy-version --policy-arn <policy-arn> --version-id <default-version-id> \\
  --query "PolicyVersion.Document"
aws iam list-entities-for-policy --policy-arn <policy-arn>
""",
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.SCOPED_IAM_CLI,
        cloudformation=iac.SCOPED_IAM_CFN,
        terraform=iac.SCOPED_IAM_TERRAFORM,
        console=(
            "List what the attached principals actually call (IAM Access Advisor, or CloudTrail) "
            "and agree the needed actions with the owning team.",
            "In the IAM console open the policy and choose Edit.",
            "Replace elasticache:* and elasticache:Modify* on Resource * with the needed actions "
            "on the team's own cache ARNs; keep Describe and List on * if they need the console.",
            "Save as the default version, and keep the previous version until the team confirms "
            "nothing broke.",
        ),
        permissions=(
            "iam:ListPolicyVersions",
            "iam:CreatePolicyVersion",
            "iam:DeletePolicyVersion",
        ),
    ),
    backout=(
        "The old document stays stored as a non-default version: restore it at once with aws "
        "iam set-default-policy-version --policy-arn <policy-arn> --version-id "
        "<previous-version-id>. Delete it only after the scoped version has run for a while "
        "without access-denied errors."
    ),
    compliance=(
        "NIST SP 800-53 AC-6",
        "PCI DSS v4.0 7.2.2",
        "SOC 2 CC6.3",
        "HIPAA 164.308(a)(4)(ii)(B)",
        "ISO/IEC 27001:2022 A.5.15",
    ),
    permissions=(
        "iam:ListPolicies",
        "iam:GetPolicyVersion",
        "iam:ListEntitiesForPolicy",
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticache.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html",
    ),
)


@check(CW_505, applies=_has_iam_policies)
def check_least_privilege(inventory: Inventory, ctx: RuleContext) -> Verdict:
    """CW-505: `elasticache:*` on `*` lets any holder delete or open every cache."""
    where = f"account {inventory.account}"
    grants = _broad_grants(inventory.iam_policies or (), ctx.policy.access.admin_principals)
    if grants:
        return failed(
            f"{where}: customer-managed policy {'; '.join(grants)}, outside the admin list"
        )
    return passed(
        f"{where}: no customer-managed policy grants broad ElastiCache access beyond admins"
    )
