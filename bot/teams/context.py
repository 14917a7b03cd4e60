"""What the Teams front end hands every flow: one `FlowContext` per turn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis

from bot.teams.approvers import EntraApproverDirectory, GroupFetcher
from workers.platform.config import AppConfig
from workers.platform.context import FlowContext
from workers.platform.notifier import Notifiers

# Tenant names that mean "any tenant" (a multi-tenant bot); no single workspace then.
MULTI_TENANT = ("", "botframework.com", "common", "organizations")


def installed_tenant(tenant_id: str) -> str:
    return "" if tenant_id.lower() in MULTI_TENANT else tenant_id


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TeamsDeps:
    connection: redis.Redis
    config: AppConfig
    notifiers: Notifiers
    fetch_group: GroupFetcher
    workspace: str = ""  # the tenant the bot serves; "" for a multi-tenant bot
    clock: Callable[[], datetime] = field(default=_utcnow)

    def flow_context(self) -> FlowContext:
        return FlowContext(
            connection=self.connection,
            config=self.config,
            notifiers=self.notifiers,
            directory=EntraApproverDirectory(self.fetch_group, self.connection, self.config.teams),
            workspace=self.workspace,
            clock=self.clock,
        )
