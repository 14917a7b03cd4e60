"""Report formats for findings: JSON, CSV and OCSF Compliance Finding (class 2003)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from posture.base import Severity
from posture.findings import Finding, Status

FINDING_FIELDS = (
    "rule_id",
    "category",  # security or cost, so a spreadsheet can keep cost apart
    "headline",  # what is wrong when failing, else the rule's title (Finding.headline)
    "aliases",
    "severity",
    "status",
    "resource_kind",
    "resource_id",
    "resource_arn",
    "account",
    "region",
    "engine",
    "evidence",
)

# OCSF severity_id: 1 informational, 2 low, 3 medium, 4 high, 5 critical.
_OCSF_SEVERITY = {
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
# OCSF compliance status_id: 1 pass, 2 warning, 3 fail, 99 other.
_OCSF_STATUS = {
    Status.PASS: (1, "Pass"),
    Status.FAIL: (3, "Fail"),
    Status.NOT_APPLICABLE: (99, "Not Applicable"),
    Status.ERROR: (99, "Error"),
    Status.SUPPRESSED: (2, "Suppressed"),
}


def finding_record(finding: Finding) -> dict[str, Any]:
    data = finding.model_dump(mode="json")
    data["headline"] = finding.headline
    return {key: data[key] for key in FINDING_FIELDS}


def to_json(findings: Iterable[Finding], scan: dict[str, Any]) -> str:
    return json.dumps({"scan": scan, "findings": [finding_record(f) for f in findings]}, indent=2)


def to_csv(findings: Iterable[Finding]) -> str:
    out = io.StringIO()
    # RFC 4180 line ends: the writer then also quotes cells holding a CR, not only an LF
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FINDING_FIELDS)
    for finding in findings:
        record = finding_record(finding)
        record["aliases"] = "; ".join(
            f"{fw}:{','.join(ids)}" for fw, ids in sorted(finding.aliases.items())
        )
        writer.writerow(
            _csv_safe(str(record[key] if record[key] is not None else "")) for key in FINDING_FIELDS
        )
    return out.getvalue()


# What starts a formula or a DDE call in Excel, LibreOffice or Google Sheets, after NFKC
# folding (fullwidth U+FF1D, small U+FE66 and the like count as "="); TAB and CR as the first
# character also start one. https://owasp.org/www-community/attacks/CSV_Injection
_FORMULA_STARTS = frozenset("=+-@|\t\r")


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas (a tag value of "=HYPERLINK(...)" stays text).

    Leading spaces do not hide a formula: " =1+1" is neutralised as well.
    """
    if value[:1] in _FORMULA_STARTS:
        return "'" + value
    first = value.lstrip(" \u3000\xa0\n")[:1]
    if first and unicodedata.normalize("NFKC", first)[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def to_ocsf(findings: Sequence[Finding], *, generated_at: datetime, version: str) -> str:
    """One OCSF 1.x Compliance Finding per finding, as a JSON array (like Prowler's json-ocsf)."""
    epoch_ms = int(generated_at.timestamp() * 1000)
    return json.dumps([_ocsf(f, epoch_ms, version) for f in findings], indent=2)


def _ocsf(finding: Finding, epoch_ms: int, version: str) -> dict[str, Any]:
    severity_id, severity = _OCSF_SEVERITY[finding.severity]
    status_id, status = _OCSF_STATUS[finding.status]
    return {
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "category_uid": 2,
        "category_name": "Findings",
        "type_uid": 200301,
        "activity_id": 1,
        "time": epoch_ms,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 1,
        "status": "New",
        "message": finding.evidence,
        "metadata": {
            "version": "1.3.0",
            "product": {"name": "cachewarden", "vendor_name": "cachewarden", "version": version},
            "event_code": finding.rule_id,
        },
        "finding_info": {
            "uid": f"cachewarden-{finding.rule_id}-{finding.account}-{finding.region}-{finding.resource_id}",
            "title": finding.headline,
            "desc": finding.evidence,
            "types": [finding.rule_id, str(finding.category)],
        },
        "compliance": {
            "status_id": status_id,
            "status": status,
            "control": finding.rule_id,
            "requirements": sorted(a for ids in finding.aliases.values() for a in ids),
        },
        "cloud": {"provider": "AWS", "region": finding.region, "account": {"uid": finding.account}},
        "resources": [
            {
                "uid": finding.resource_arn or finding.resource_id,
                "name": finding.resource_id,
                "type": finding.resource_kind,
                "region": finding.region,
                "cloud_partition": "aws",
            }
        ],
    }
