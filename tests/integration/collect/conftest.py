"""One fake AWS HTTP server for the collection integration tests, wiped before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.fake_aws import FakeAwsServer, reset


@pytest.fixture(scope="module")
def fake_aws_url() -> Iterator[str]:
    with FakeAwsServer(port=0) as server:
        yield server.url


@pytest.fixture
def aws(fake_aws_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The fake's URL, with test-only credentials in the environment and a clean state."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # boto3 honours AWS_ENDPOINT_URL by itself: the collector never hardcodes an endpoint.
    monkeypatch.setenv("AWS_ENDPOINT_URL", fake_aws_url)
    reset(fake_aws_url)
    return fake_aws_url
