"""The modules that hold the rules: each defines catalog entries (`Rule`) with the `@check`
function of each entry right below it. The catalog and the registry both read this list, so
a rule added to one of these modules needs no change anywhere else.
"""

from __future__ import annotations

from types import ModuleType

from posture.rules import (
    access,
    accounts,
    acl,
    at_rest,
    cost,
    detection,
    encryption,
    ingress,
    lifecycle,
    network,
    reserved_nodes,
    resilience,
    tokens,
)

FAMILY_MODULES: tuple[ModuleType, ...] = (
    encryption,
    at_rest,
    tokens,
    access,
    acl,
    network,
    ingress,
    resilience,
    lifecycle,
    detection,
    accounts,
    cost,
    reserved_nodes,
)
