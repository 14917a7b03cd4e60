"""CSV reports neutralise every spreadsheet formula start, including the ones that hide."""

from __future__ import annotations

import csv
import io

import pytest

from posture.base import ResourceKind, Severity
from posture.export import to_csv
from posture.findings import Finding, Status


def _finding(evidence: str) -> Finding:
    return Finding(
        rule_id="CW-101",
        title="Caches encrypt traffic in transit",
        aliases={},
        severity=Severity.HIGH,
        status=Status.FAIL,
        resource_kind=ResourceKind.REPLICATION_GROUP,
        resource_id="orders",
        resource_arn="arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:orders",
        account="123456789012",
        region="eu-west-1",
        engine="redis",
        evidence=evidence,
    )


def _evidence_cell(value: str) -> str:
    rows = list(csv.DictReader(io.StringIO(to_csv([_finding(value)]), newline="")))
    return rows[0]["evidence"]


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("https://evil","x")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",  # a leading TAB
        "\r=1+1",  # a leading CR
        "|cmd",
        "\uff1d1+1",  # fullwidth equals
        "\uff0b1",  # fullwidth plus
        "\uff0d1",  # fullwidth minus
        "\uff20SUM(A1)",  # fullwidth at
        "\uff5ccmd",  # fullwidth vertical line
        "\ufe661+1",  # small equals
        " =1+1",  # hidden behind a space
        "\u3000\uff1d1",  # ideographic space, then fullwidth equals
    ],
)
def test_formula_starts_become_text(value: str) -> None:
    assert _evidence_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["plain evidence", "", "TLS off; 3 clients", "a=b", "version 7.1-rc", "1+1"]
)
def test_ordinary_text_is_unchanged(value: str) -> None:
    assert _evidence_cell(value) == value
