"""One real stack for the rotation tests: redis-server, fake AWS, emulator, bot, worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.stack import Stack, StackOptions


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with Stack(StackOptions(regions=("us-east-1",))) as running:
        yield running
