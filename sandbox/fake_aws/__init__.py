"""A fake AWS for cachewarden: moto 5.2.5 plus our ElastiCache layer, fault injection
and a fleet generator. See `FakeAwsServer`, `install_patches`, `seed_fleet`."""

from sandbox.fake_aws.client import (
    clear_faults,
    group_state,
    health,
    inject_fault,
    list_faults,
    patch_group,
    reset,
    seed_reserved_node,
    set_modify_delay,
)
from sandbox.fake_aws.fleet import seed_fleet
from sandbox.fake_aws.fleet_model import FleetManifest, FleetSpec, demo_fleet_spec
from sandbox.fake_aws.patches import install_patches
from sandbox.fake_aws.server import FakeAwsServer

__all__ = [
    "FakeAwsServer",
    "FleetManifest",
    "FleetSpec",
    "clear_faults",
    "demo_fleet_spec",
    "group_state",
    "health",
    "inject_fault",
    "install_patches",
    "list_faults",
    "patch_group",
    "reset",
    "seed_fleet",
    "seed_reserved_node",
    "set_modify_delay",
]
