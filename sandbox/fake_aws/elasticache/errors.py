"""ElastiCache errors with the codes the real service answers with.

Each subclass of moto's `ServiceException` is serialized by moto into the query-protocol
XML error body, with the HTTP status the botocore model gives that code.
"""

from __future__ import annotations

from moto.core.exceptions import ServiceException


class ElastiCacheError(ServiceException):
    """An error whose code is given per instance (the code is the API contract)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)


def invalid_combination(message: str) -> ElastiCacheError:
    return ElastiCacheError("InvalidParameterCombination", message)


def invalid_value(message: str) -> ElastiCacheError:
    return ElastiCacheError("InvalidParameterValue", message)


def not_found(kind: str, name: str) -> ElastiCacheError:
    """`kind` is the fault prefix, e.g. `ReplicationGroupNotFoundFault`."""
    return ElastiCacheError(kind, f"{name} not found.")


def already_exists(kind: str, name: str) -> ElastiCacheError:
    return ElastiCacheError(kind, f"{name} already exists.")


def invalid_state(kind: str, message: str) -> ElastiCacheError:
    return ElastiCacheError(kind, message)
