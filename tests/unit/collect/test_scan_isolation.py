"""scan(): one broken target or a failing progress callback never loses the other results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.credentials import Credentials
from botocore.loaders import Loader

from tests.unit.collect.plans import region_plan
from tests.unit.collect.stubs import ACCOUNT, REGION, stubbed_account
from workers.aws.scan import scan
from workers.aws.session import AccountSession
from workers.aws.targets import ResolvedTargets, ScanError, ScanTarget

OTHER_ACCOUNT = "210987654321"
LEAKY_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@dataclass(frozen=True)
class BrokenAccount(AccountSession):
    """Fails with a programming error (not an AWS error) as soon as a client is needed."""

    def client(self, session: Any, service: str, region: str) -> Any:
        raise RuntimeError(f"bug while building a client with {LEAKY_SECRET}")


def test_a_crashing_target_is_an_error_and_the_others_complete(loader: Loader) -> None:
    healthy = stubbed_account(region_plan(), loader)
    broken = BrokenAccount(OTHER_ACCOUNT, Credentials("testing", "testing"), loader=loader)
    unreachable = ScanError(
        account_id="333333333333", operation="AssumeRole", code="AccessDenied", message="no"
    )
    progress: list[int] = []

    def failing_progress(account: str, region: str, done: int, total: int) -> None:
        progress.append(done)
        raise ConnectionError("chat is down")

    fixed = datetime(2025, 2, 1, tzinfo=UTC)
    result = scan(
        ResolvedTargets(
            targets=(
                ScanTarget(ACCOUNT, REGION, healthy),
                ScanTarget(OTHER_ACCOUNT, REGION, broken),
            ),
            errors=(unreachable,),
        ),
        max_workers=2,
        on_progress=failing_progress,
        clock=lambda: fixed,
    )

    assert [i.account for i in result.inventories] == [ACCOUNT]
    assert result.inventories[0].errors == () and result.inventories[0].collected_at == fixed
    assert result.errors[0] == unreachable
    crash = result.errors[1]
    assert (crash.account_id, crash.region, crash.code) == (OTHER_ACCOUNT, REGION, "RuntimeError")
    assert LEAKY_SECRET not in crash.message and "bug while building" in crash.message
    assert sorted(progress) == [1, 2]
    # Exactly the healthy region's planned calls were made; the broken one made none.
    assert result.api_calls == sum(len(steps) for steps in region_plan().values())
    assert result.duration_seconds == 0
    healthy.assert_done()
