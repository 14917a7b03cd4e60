"""What the detection family's catalog entries share: family name, doc URLs, engines,
standards, permission sets and common text. The entries themselves (with their checks
right below them) are in posture/rules/ (detection.py and accounts.py).
"""

from __future__ import annotations

from posture.base import Engine

FAMILY = "detection"
DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
ALL_ENGINES = (Engine.REDIS, Engine.VALKEY, Engine.MEMCACHED)
