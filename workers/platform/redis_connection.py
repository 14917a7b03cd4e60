"""One way to open the bot's own Redis: TLS and AUTH when the URL says rediss:// with a password."""

from __future__ import annotations

import ssl

import redis


def connect(url: str, *, ca_file: str | None = None) -> redis.Redis:
    """RQ needs raw bytes, so responses are not decoded here."""
    options: dict[str, object] = {"health_check_interval": 30, "socket_timeout": 10}
    if url.startswith("rediss://"):
        options["ssl_cert_reqs"] = ssl.CERT_REQUIRED
        if ca_file:
            options["ssl_ca_certs"] = ca_file
    return redis.Redis.from_url(url, **options)
