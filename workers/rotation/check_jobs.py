"""The check behind /cache-rotate-token: find the group, decide whether and how it can be
rotated, then post the ROTATE approval request or an answer that says why not.

The listener never calls AWS; it stores what was asked and enqueues this job with the
ticket id, which also becomes the rotation id and the approval request id.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from posture.approvals import ApprovalRequest, RequestKind, State, default_expiry
from posture.messages import Notice
from posture.resources import ReplicationGroup
from posture.rotation import CACHE_CLUSTER, Phase, Rotation, RotationMode, SecretRef, advance
from posture.rotation_plan import (
    check_user,
    cluster_refusal_reason,
    group_secret_name,
    mode_for,
    other_kind_reason,
    refusal_reason,
    rotate_texts,
    user_secret_name,
)
from workers.approvals.flow import ApprovalFlow
from workers.audit.scanning import session_for
from workers.aws.auth_tokens import (
    TokenCallError,
    describe_group,
    describe_user,
    describe_user_group,
)
from workers.aws.errors import AWS_FAILURES, redact
from workers.aws.secrets import CURRENT, CredentialVault, SecretsError
from workers.aws.session import AccountSession, account_of_role
from workers.fixes.reads import UnreachableAccount, remediation_session
from workers.platform.runtime import JobEnvironment, environment
from workers.rotation.clusters import StandaloneFound, find_standalone
from workers.rotation.jobs import Driver, approval_flow
from workers.rotation.serverless import SERVERLESS, find_serverless
from workers.rotation.steps import StepFailed
from workers.rotation.store import RotationIntake, RotationStore

log = logging.getLogger(__name__)
DEFAULT_REGION = "us-east-1"


class Refused(Exception):
    """The rotation cannot start; the message is the answer for the requester."""


@dataclass(frozen=True)
class Located:
    session: AccountSession
    region: str
    group: ReplicationGroup


def candidate_sessions(env: JobEnvironment, account: str | None) -> list[AccountSession]:
    """Remediation sessions in every account the bot knows, or only in `account` when given.

    Known accounts: the bot's own, those with a remediation role, and those the audit scans
    (only their ids are read from [scan]; its roles are never assumed here).
    """
    own = session_for(None, endpoint_url=env.endpoint_url).account_id
    configured = (*env.config.remediation.role_arns, *env.config.scan.role_arns)
    accounts = [account] if account else [own, *(account_of_role(arn) for arn in configured)]
    sessions = []
    for candidate in dict.fromkeys(accounts):
        with contextlib.suppress(UnreachableAccount):
            sessions.append(remediation_session(env, candidate))
    return sessions


def other_kind(sessions: list[AccountSession], regions: list[str], name: str) -> str | None:
    """When the name is a standalone cluster or a serverless cache: why it is not rotated."""
    for session in sessions:
        boto = session.new_session()
        for region in regions:
            client = session.client(boto, "elasticache", region)
            with contextlib.suppress(*AWS_FAILURES):
                caches = client.describe_serverless_caches(ServerlessCacheName=name)
                for cache in caches.get("ServerlessCaches") or []:
                    engine, group = cache.get("Engine", ""), cache.get("UserGroupId")
                    return other_kind_reason(name, "serverless cache", engine, group)
            with contextlib.suppress(*AWS_FAILURES):
                clusters = client.describe_cache_clusters(CacheClusterId=name)
                for cluster in clusters.get("CacheClusters") or []:
                    if not cluster.get("ReplicationGroupId"):
                        engine = cluster.get("Engine", "")
                        return other_kind_reason(name, "standalone cluster", engine, None)
    return None


def locate(env: JobEnvironment, intake: RotationIntake) -> Located:
    sessions = candidate_sessions(env, intake.account)
    regions = _regions(env, intake)
    found = []
    for session in sessions:
        boto = session.new_session()
        for region in regions:
            group = describe_group(session.client(boto, "elasticache", region), intake.group_id)
            if group is not None:
                found.append(Located(session, region, group))
    where = f"account {intake.account or ', '.join(s.account_id for s in sessions) or '(none)'}"
    where += f", region {', '.join(regions)}"
    if not found:
        other = other_kind(sessions, regions, intake.group_id)
        raise Refused(other or f"No replication group named {intake.group_id} was found ({where}).")
    if len(found) > 1:
        places = "; ".join(f"{f.session.account_id} {f.region}" for f in found)
        raise Refused(
            f"{intake.group_id} exists in several places ({places}). Name one with account= "
            "and region=."
        )
    return found[0]


def _vault(located: Located | StandaloneFound) -> CredentialVault:
    client = located.session.client(located.session.new_session(), "secretsmanager", located.region)
    return CredentialVault(client)


def _new_version() -> str:
    return uuid.uuid4().hex


def auth_secret(env: JobEnvironment, located: Located | StandaloneFound) -> SecretRef:
    target_id = (
        located.group.replication_group_id if isinstance(located, Located) else located.cluster_id
    )
    name = group_secret_name(env.config.policy.auth.secret_name_prefix, target_id)
    state = _vault(located).describe(name)
    return SecretRef(
        name=name,
        arn=state.arn,
        pending_version_id=_new_version(),
        previous_known=state.version_with(CURRENT) is not None,
    )


def user_secrets(env: JobEnvironment, located: Located) -> tuple[list[SecretRef], list[str]]:
    """A secret per rotatable password user, and a line per user left out (with why)."""
    return users_of_groups(env, located.session, located.region, located.group.user_group_ids)


def users_of_groups(
    env: JobEnvironment, session: AccountSession, region: str, user_group_ids: tuple[str, ...]
) -> tuple[list[SecretRef], list[str]]:
    """The rotatable password users of these user groups, and each user left out (with why)."""
    client = session.client(session.new_session(), "elasticache", region)
    vault = CredentialVault(session.client(session.new_session(), "secretsmanager", region))
    prefix = env.config.policy.auth.secret_name_prefix
    refs, skipped = [], []
    for user_group_id in user_group_ids:
        user_group = describe_user_group(client, user_group_id)
        for user_id in user_group.user_ids if user_group else ():
            user = describe_user(client, user_id)
            if user is None:
                continue
            name = user_secret_name(prefix, user_id)
            state = vault.describe(name)
            verdict = check_user(user, state.version_with(CURRENT) is not None, name)
            if not verdict.rotatable:
                skipped.append(f"{user_id}: {verdict.reason}")
                continue
            refs.append(
                SecretRef(
                    name=name,
                    arn=state.arn,
                    pending_version_id=_new_version(),
                    previous_known=True,
                    user_id=user_id,
                )
            )
    return refs, skipped


def _regions(env: JobEnvironment, intake: RotationIntake) -> list[str]:
    return [intake.region] if intake.region else list(env.config.scan.regions) or [DEFAULT_REGION]


def plan_serverless(
    env: JobEnvironment, intake: RotationIntake
) -> tuple[Rotation, ApprovalRequest] | None:
    """A serverless cache with a user group: its password users, or None when not one."""
    sessions = candidate_sessions(env, intake.account)
    found = find_serverless(sessions, _regions(env, intake), intake.group_id)
    if len(found) != 1:
        return None
    cache = found[0]
    refs, skipped = users_of_groups(env, cache.session, cache.region, (cache.user_group_id,))
    if not refs:
        raise Refused(
            f"No user of the serverless cache {cache.name} (user group {cache.user_group_id}) "
            "can have its password rotated: " + "; ".join(skipped or ["the group has no users"])
        )
    now = env.clock()
    rotation = Rotation(
        rotation_id=intake.ticket_id, mode=RotationMode.RBAC_USERS,
        account=cache.session.account_id, region=cache.region, group_id=cache.name,
        engine=cache.engine, requester=intake.requester, conversation=intake.origin,
        resource_kind=SERVERLESS, secrets=tuple(refs),
        correlation_id=intake.correlation_id, created_at=now, updated_at=now,
    )  # fmt: skip
    return rotation, rotation_request(env, rotation, skipped, now)


def plan_standalone(
    env: JobEnvironment, intake: RotationIntake
) -> tuple[Rotation, ApprovalRequest] | None:
    """A standalone Redis OSS / Valkey cluster: its AUTH token, or None when not one."""
    sessions = candidate_sessions(env, intake.account)
    found = find_standalone(sessions, _regions(env, intake), intake.group_id)
    if len(found) != 1:
        return None
    cluster = found[0]
    reason = cluster_refusal_reason(cluster.cluster, cluster.view.auth_token_status)
    if reason:
        raise Refused(reason)
    now = env.clock()
    rotation = Rotation(
        rotation_id=intake.ticket_id, mode=RotationMode.AUTH_TOKEN,
        account=cluster.session.account_id, region=cluster.region, group_id=cluster.cluster_id,
        engine=cluster.cluster.engine, requester=intake.requester, conversation=intake.origin,
        resource_kind=CACHE_CLUSTER, secrets=(auth_secret(env, cluster),),
        original_token_date=cluster.view.token_date,
        correlation_id=intake.correlation_id, created_at=now, updated_at=now,
    )  # fmt: skip
    return rotation, rotation_request(env, rotation, [], now)


def plan_rotation(env: JobEnvironment, intake: RotationIntake) -> tuple[Rotation, ApprovalRequest]:
    try:
        located = locate(env, intake)
    except Refused:
        other = plan_serverless(env, intake) or plan_standalone(env, intake)
        if other is None:
            raise
        return other
    group = located.group
    reason = refusal_reason(group)
    if reason:
        raise Refused(reason)
    mode, skipped = mode_for(group), list[str]()
    if mode is RotationMode.AUTH_TOKEN:
        refs = [auth_secret(env, located)]
    else:
        refs, skipped = user_secrets(env, located)
        if not refs:
            raise Refused(
                f"No user of {group.replication_group_id} can have its password rotated: "
                + "; ".join(skipped or ["its user group has no users"])
            )
    now = env.clock()
    rotation = Rotation(
        rotation_id=intake.ticket_id,
        mode=mode,
        account=located.session.account_id,
        region=located.region,
        group_id=group.replication_group_id,
        engine=group.engine,
        requester=intake.requester,
        conversation=intake.origin,
        secrets=tuple(refs),
        original_token_date=group.auth_token_last_modified_date,
        correlation_id=intake.correlation_id,
        created_at=now,
        updated_at=now,
    )
    return rotation, rotation_request(env, rotation, skipped, now)


def rotation_request(
    env: JobEnvironment, rotation: Rotation, skipped: list[str], now: datetime
) -> ApprovalRequest:
    names = [s.name for s in rotation.secrets]
    texts = rotate_texts(rotation.mode, rotation.group_id, names, rotation.resource_kind)
    change = texts.change
    if skipped:
        change += " Left out: " + "; ".join(skipped) + "."
    return ApprovalRequest(
        request_id=rotation.rotation_id,
        kind=RequestKind.ROTATE,
        requester=rotation.requester,
        created_at=now,
        expires_at=default_expiry(now, env.config.bot.approval_ttl_hours),
        account=rotation.account,
        region=rotation.region,
        resource_kind=rotation.resource_kind,
        resource_id=rotation.group_id,
        change=change,
        api_call=texts.api_call,
        risk=texts.risk,
        backout=texts.backout,
        origin=rotation.conversation,
        correlation_id=rotation.correlation_id,
    )


def _close_stale(driver: Driver, flow: ApprovalFlow, rotation_id: str) -> bool:
    """A rotation whose ROTATE request was denied or expired ends, freeing its group."""
    rotation = driver.store.get(rotation_id)
    request = flow.store.get(rotation_id)
    if rotation is None or rotation.phase is not Phase.REQUESTED:
        return rotation is None
    if request is not None and request.state in (State.PENDING, State.APPROVED, State.RUNNING):
        return False
    ended = advance(rotation, Phase.ENDED, driver.env.clock(), note="request not approved")
    return driver.store.replace(rotation, ended)


def open_rotation(env: JobEnvironment, rotation: Rotation, request: ApprovalRequest) -> None:
    driver, flow = Driver(env), approval_flow(env)
    holder = driver.store.create(rotation)
    if holder and _close_stale(driver, flow, holder):
        holder = driver.store.create(rotation)
    if holder:
        live = driver.store.get(holder)
        phase = f" ({live.phase})" if live else ""
        raise Refused(
            f"{rotation.group_id} already has a rotation in progress: rotation {holder}{phase}. "
            "Finish or cancel it in its thread first."
        )
    if flow.store.get(request.request_id) is None:
        request = flow.open(request)
    else:
        request = flow.store.get(request.request_id) or request
    stored = driver.store.get(rotation.rotation_id) or rotation
    if not stored.conversation.thread and request.posted is not None:
        threaded = stored.model_copy(update={"conversation": request.posted.as_thread})
        if driver.store.replace(stored, threaded):
            flow.audit.append(
                "rotation.requested",
                actor=rotation.requester,
                rotation_id=rotation.rotation_id,
                target=f"{rotation.resource_kind}/{rotation.group_id}",
                mode=str(rotation.mode),
            )
            driver.announce(threaded)


def check_rotation_request(ticket_id: str) -> None:
    """Look at the group in AWS, then post the ROTATE request or the reason there is none."""
    env = environment()
    intake = RotationStore(env.connection).get_intake(ticket_id)
    if intake is None:
        return
    try:
        rotation, request = plan_rotation(env, intake)
        open_rotation(env, rotation, request)
    except Refused as refusal:
        answer = str(refusal)
    except (TokenCallError, SecretsError, StepFailed, *AWS_FAILURES) as exc:
        log.warning("rotation check failed", extra={"error": type(exc).__name__})
        answer = f"I could not check {intake.group_id}: {redact(str(exc))}"
    else:
        return
    env.notifiers.to(intake.origin).say(
        intake.origin,
        Notice(text=answer, detail=f"correlation id {intake.correlation_id}"),
        user=intake.requester,
    )
    log.info("rotation refused", extra={"ticket_id": ticket_id})
