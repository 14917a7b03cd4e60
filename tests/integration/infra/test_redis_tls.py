"""The bot's own Redis gets the TLS and AUTH we recommend to everyone else."""

from __future__ import annotations

import pytest
import redis

from commands.scope import Scope
from posture.conversations import ConversationRef
from sandbox.redis_server import RedisServer
from workers.platform.config import AppConfig
from workers.platform.enqueue import SCANS_QUEUE, queue
from workers.platform.queueing import enqueue_audit
from workers.platform.redis_connection import connect

pytestmark = pytest.mark.integration
PASSWORD = "a-long-redis-password-1234"


@pytest.fixture(scope="module")
def tls_redis():  # type: ignore[no-untyped-def]
    with RedisServer(tls=True, password=PASSWORD) as server:
        yield server


def test_enqueue_over_tls_with_auth(tls_redis: RedisServer) -> None:
    assert tls_redis.url.startswith("rediss://")
    connection = connect(tls_redis.url, ca_file=tls_redis.ca_file)
    ticket = enqueue_audit(
        connection,
        where=ConversationRef(channel="C1"),
        user="U1",
        scope=Scope(),
        config=AppConfig(),
        correlation_id="c",
    )
    job = queue(connection, SCANS_QUEUE).fetch_job(ticket.job_id)
    assert job is not None and job.args == [ticket.run_id]


def test_wrong_password_is_refused(tls_redis: RedisServer) -> None:
    url = tls_redis.url.replace(PASSWORD, "wrong-password")
    with pytest.raises(redis.AuthenticationError):
        connect(url, ca_file=tls_redis.ca_file).ping()


def test_untrusted_certificate_is_refused(tls_redis: RedisServer) -> None:
    with pytest.raises(redis.ConnectionError):
        connect(tls_redis.url).ping()  # no CA given: the self-signed cert must not verify


def test_plaintext_is_refused(tls_redis: RedisServer) -> None:
    url = tls_redis.url.replace("rediss://", "redis://")
    with pytest.raises(redis.ConnectionError):
        connect(url).ping()
