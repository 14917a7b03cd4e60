"""The organisation policy file: defaults, validation messages naming the bad key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from posture.base import Severity
from posture.policy import OrgPolicy, PolicyError, parse_policy
from workers.platform.config import ConfigError, parse_config


def test_empty_file_gives_documented_defaults() -> None:
    policy = parse_policy("")
    assert policy == OrgPolicy()
    assert policy.backups.minimum_retention_days == 7
    assert policy.auth.maximum_token_age_days == 90
    # Customer-managed keys are required unless the policy says otherwise (CW-104, CW-105).
    assert policy.encryption.require_cmk is True
    # Only the cache's own VPC is trusted by default, not whole private ranges (CW-305).
    assert policy.network.trusted_cidrs == ()


def test_values_are_read() -> None:
    policy = parse_policy(
        """
        [backups]
        minimum_retention_days = 14
        [tags]
        required = ["owner"]
        [rules]
        disabled = ["CW-306"]
        severity = { "CW-306" = "info" }
        [bot]
        allowed_channels = ["C1"]
        """
    )
    assert policy.backups.minimum_retention_days == 14
    assert policy.tags.required == ("owner",)
    assert policy.rules.severity == {"CW-306": Severity.INFO}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[backups]\nminimum_retention_day = 3", "backups.minimum_retention_day: unknown key"),
        ("[backups]\nminimum_retention_days = 0", "backups.minimum_retention_days"),
        ("[network]\ntrusted_cidrs = ['10.0.0.0/33']", "network.trusted_cidrs"),
        ("[engines]\nminimum_versions = { mysql = '8' }", "engines.minimum_versions"),
        ("[rules]\nseverity = { 'CW-101' = 'urgent' }", "rules.severity.CW-101"),
        ("[colour]\nx = 1", "colour: unknown key"),
        ("not toml at all [", "not valid TOML"),
    ],
)
def test_errors_name_the_bad_key(text: str, names: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    assert names in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_loader_raises_only_policy_error_on_any_text(text: str) -> None:
    try:
        policy = parse_policy(text)
    except PolicyError as exc:
        assert str(exc).startswith(("invalid policy", "policy is not valid TOML"))
    else:
        assert isinstance(policy, OrgPolicy)


_toml_scalars = st.one_of(st.integers(-10, 10**6), st.booleans(), st.text(max_size=20))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["backups", "auth", "network", "tags", "nodes", "rules", "zzz"]),
        st.dictionaries(st.text(min_size=1, max_size=25), _toml_scalars, max_size=3),
        max_size=3,
    )
)
def test_loader_raises_only_policy_error_on_structured_toml(
    data: dict[str, dict[str, object]],
) -> None:
    lines = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            rendered = str(value).lower() if isinstance(value, bool) else repr(value)
            if isinstance(value, str):
                rendered = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            lines.append(f'"{key}" = {rendered}')
    try:
        policy = parse_policy("\n".join(lines))
    except PolicyError as exc:
        assert str(exc).startswith(("invalid policy", "policy is not valid TOML"))
    else:
        assert isinstance(policy, OrgPolicy)


def test_idle_window_is_the_one_cpu_setting() -> None:
    config = parse_config("[nodes]\nidle_lookback_days = 21\n")
    assert config.policy.nodes.idle_window == timedelta(days=21)
    # The old [scan] duplicate was read nowhere; it is refused so nobody relies on it.
    with pytest.raises(ConfigError, match="cpu_lookback_days"):
        parse_config("[scan]\ncpu_lookback_days = 14\n")


def test_network_trust_lists_are_validated() -> None:
    with pytest.raises(PolicyError, match=r"network\.trusted_accounts"):
        parse_policy("[network]\ntrusted_accounts = ['12345']")
    policy = parse_policy(
        "[network]\ntrusted_security_groups = ['sg-1']\n[auth]\nadmin_users = ['ops']"
    )
    assert policy.network.trusted_security_groups == ("sg-1",)
    assert policy.auth.admin_users == ("ops",)
