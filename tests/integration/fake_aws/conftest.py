"""One fake AWS server per test module, wiped when the module starts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.fake_aws import FakeAwsServer, reset


@pytest.fixture(scope="module")
def fake_aws() -> Iterator[str]:
    with FakeAwsServer(modify_delay_describes=1) as server:
        reset(server.url)
        yield server.url
