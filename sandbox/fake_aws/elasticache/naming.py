"""Names AWS derives for ElastiCache resources: ARNs, endpoints, member ids, versions."""

from __future__ import annotations

import hashlib

# Region words shorten to these letters in endpoint host names (eu-west-1 -> euw1).
_REGION_WORDS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}

# What the API reports as the full version when given a major.minor.
_FULL_VERSIONS = {
    "redis": {"5.0": "5.0.6", "6.0": "6.0.5", "6.2": "6.2.6", "7.0": "7.0.7", "7.1": "7.1.0"},
    "valkey": {"7.2": "7.2.6", "8.0": "8.0.1", "8.1": "8.1.0"},
    "memcached": {"1.5": "1.5.16", "1.6": "1.6.22"},
}
_DEFAULT_VERSIONS = {"redis": "7.1.0", "valkey": "8.0.1", "memcached": "1.6.22"}
DEFAULT_PORTS = {"redis": 6379, "valkey": 6379, "memcached": 11211}


def arn(account_id: str, region: str, kind: str, name: str) -> str:
    return f"arn:aws:elasticache:{region}:{account_id}:{kind}:{name}"


def region_short(region: str) -> str:
    parts = region.split("-")
    words = "".join(_REGION_WORDS.get(word, word[:1]) for word in parts[1:-1])
    return f"{parts[0]}{words}{parts[-1]}"


def domain_token(account_id: str, region: str, name: str) -> str:
    """Six stable characters standing in for the random part of an endpoint host."""
    digest = hashlib.sha256(f"{account_id}/{region}/{name}".encode()).hexdigest()
    return digest[:6]


def host(name: str, token: str, region: str) -> str:
    return f"{name}.{token}.{region_short(region)}.cache.amazonaws.com"


def full_engine_version(engine: str, requested: str | None) -> str:
    if not requested:
        return _DEFAULT_VERSIONS[engine]
    return _FULL_VERSIONS.get(engine, {}).get(requested, requested)


def version_tuple(version: str) -> tuple[int, ...]:
    numbers = []
    for piece in version.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        numbers.append(int(digits or 0))
    return tuple(numbers)


def parameter_group_family(engine: str, version: str) -> str:
    major_minor = version_tuple(version)[:2]
    if engine == "memcached":
        return f"default.memcached{major_minor[0]}.{major_minor[1]}"
    if engine == "valkey":
        return f"default.valkey{major_minor[0]}"
    if major_minor >= (7, 0):
        return "default.redis7"
    return f"default.redis{major_minor[0]}.{major_minor[1]}"


def member_cluster_ids(
    group_id: str, cluster_mode: bool, node_groups: int, replicas: int
) -> list[tuple[str, str, str]]:
    """(cluster id, node group id, role) of every member, primary first per shard."""
    members = []
    for shard in range(1, node_groups + 1):
        shard_id = f"{shard:04d}"
        for index in range(1, replicas + 2):
            role = "primary" if index == 1 else "replica"
            if cluster_mode:
                members.append((f"{group_id}-{shard_id}-{index:03d}", shard_id, role))
            else:
                members.append((f"{group_id}-{index:03d}", shard_id, role))
    return members
