"""SessionCache: one session per account until it is old or refused, one memo per run."""

from __future__ import annotations

from botocore.credentials import Credentials
from botocore.loaders import Loader

from workers.aws.session import AccountSession, CallCounter
from workers.aws.session_cache import AUDIT_SERVICES, SessionCache, warm_loader


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _cache(clock: _Clock, built: list[str | None]) -> SessionCache:
    def factory(
        role_arn: str | None, endpoint: str | None, counter: CallCounter | None, loader: Loader
    ) -> AccountSession:
        built.append(role_arn)
        return AccountSession(
            account_id="123456789012",
            credentials=Credentials("AKID", "SECRET"),
            endpoint_url=endpoint,
        )

    return SessionCache(max_age=60, factory=factory, clock=clock)


def test_one_session_per_role_until_it_is_old() -> None:
    clock, built = _Clock(), []  # type: ignore[var-annotated]
    cache = _cache(clock, built)
    first = cache.session(None, endpoint_url=None)
    assert cache.session(None, endpoint_url=None) is first
    role = "arn:aws:iam::210987654321:role/CachewardenAudit"
    cache.session(role, endpoint_url=None)
    cache.session(role, endpoint_url=None)
    assert built == [None, role]
    clock.now = 61
    assert cache.session(None, endpoint_url=None) is not first
    assert built == [None, role, None]


def test_forget_rebuilds_the_next_session() -> None:
    clock, built = _Clock(), []  # type: ignore[var-annotated]
    cache = _cache(clock, built)
    cache.session(None, endpoint_url="http://127.0.0.1:1")
    cache.forget(None, endpoint_url="http://127.0.0.1:1")
    cache.session(None, endpoint_url="http://127.0.0.1:1")
    assert built == [None, None]


def test_scan_cache_is_shared_within_a_run_and_bounded() -> None:
    cache = SessionCache()
    assert cache.scan_cache("run1") is cache.scan_cache("run1")
    assert cache.scan_cache("run1") is not cache.scan_cache("run2")
    first = cache.scan_cache("old")
    for index in range(20):
        cache.scan_cache(f"r{index}")
    assert cache.scan_cache("old") is not first


def test_warm_loader_parses_every_audit_model_before_a_client_asks() -> None:
    loader = Loader()
    warm_loader(loader)
    # botocore's instance cache (`_cache`) holds what was parsed; a client will read it from there.
    parsed = {key[1] for key in loader._cache if key[0] == "load_service_model"}
    assert parsed == set(AUDIT_SERVICES)
