"""One fake AWS server per test module, with AWS state wiped before the module seeds it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.fake_aws import FakeAwsServer, reset


@pytest.fixture(scope="module")
def fake_aws_url() -> Iterator[str]:
    # moto keeps AWS state per process: another module of this worker may have left some.
    with FakeAwsServer(port=0) as server:
        reset(server.url)
        yield server.url
