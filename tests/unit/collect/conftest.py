"""Fixtures for the collection unit tests: test-only credentials and a shared model loader."""

from __future__ import annotations

import pytest
from botocore.loaders import Loader, create_loader

from tests.unit.collect.stubs import REGION


@pytest.fixture(autouse=True)
def _test_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="session")
def loader() -> Loader:
    """Parsing botocore's JSON models dominates client creation; parse them once per run."""
    return create_loader()
