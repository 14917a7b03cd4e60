"""An `AccountSession` whose clients answer from botocore Stubbers, planned per service.

Each service gets a queue of (operation, response or error, expected params); the
Stubber checks the order within a service, validates every canned response against
the real botocore output shape, and `assert_done` fails if a planned call never came.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.credentials import Credentials
from botocore.loaders import Loader
from botocore.stub import Stubber

from workers.aws.session import AccountSession

ACCOUNT = "123456789012"
REGION = "us-east-1"


@dataclass(frozen=True)
class Planned:
    operation: str
    response: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str = ""
    http_status: int = 400
    expected_params: dict[str, Any] | None = None


@dataclass(frozen=True)
class StubbedAccount(AccountSession):
    plans: dict[str, list[Planned]] = field(default_factory=dict)
    stubbers: dict[str, Stubber] = field(default_factory=dict)

    def client(self, session: Any, service: str, region: str) -> Any:
        client = super().client(session, service, region)
        stubber = Stubber(client)
        for step in self.plans.get(service, []):
            _queue(stubber, step)
        stubber.activate()
        self.stubbers[f"{service}@{region}"] = stubber
        return client

    def assert_done(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


def _queue(stubber: Stubber, step: Planned) -> None:
    if step.error_code is not None:
        stubber.add_client_error(
            step.operation,
            service_error_code=step.error_code,
            service_message=step.error_message,
            http_status_code=step.http_status,
            expected_params=step.expected_params,
        )
    else:
        stubber.add_response(step.operation, step.response or {}, step.expected_params)


def stubbed_account(plans: dict[str, list[Planned]], loader: Loader) -> StubbedAccount:
    return StubbedAccount(
        account_id=ACCOUNT,
        credentials=Credentials("testing", "testing"),
        plans=plans,
        loader=loader,
    )
