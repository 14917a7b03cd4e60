"""Engine support lifecycle: when each major version leaves AWS standard support.

Data, not logic: CW-406 reads this table with the evaluation date it is given. After
the end of standard support ElastiCache enrols the cache in paid Extended Support (up
to three years), and after that it upgrades the cache itself. Dates are the last day
of standard support, as AWS publishes them; add a row when AWS announces a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from packaging.version import Version

EXTENDED_SUPPORT_DOC = (
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/extended-support.html"
)
EXTENDED_SUPPORT_CHARGES_DOC = (
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/extended-support-charges.html"
)
END_OF_LIFE_DOC = (
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/deprecated-engine-versions.html"
)
EXTENDED_SUPPORT_BLOG = (
    "https://aws.amazon.com/blogs/database/"
    "introducing-extended-support-for-amazon-elasticache-version-4-and-version-5-for-redis-oss/"
)


@dataclass(frozen=True)
class SupportWindow:
    """One engine major version: last day of standard support, of Extended Support, and why."""

    engine: str
    major: int
    standard_support_ends: date
    extended_support_ends: date | None
    source: str


SUPPORT_WINDOWS: tuple[SupportWindow, ...] = (
    # Redis OSS 2 and 3 reached end of life without any Extended Support.
    SupportWindow("redis", 2, date(2023, 1, 13), None, END_OF_LIFE_DOC),
    SupportWindow("redis", 3, date(2023, 7, 31), None, END_OF_LIFE_DOC),
    # 4 and 5: standard support ended 2026-01-31; paid Extended Support until 2029-01-31.
    SupportWindow("redis", 4, date(2026, 1, 31), date(2029, 1, 31), EXTENDED_SUPPORT_DOC),
    SupportWindow("redis", 5, date(2026, 1, 31), date(2029, 1, 31), EXTENDED_SUPPORT_DOC),
    # 6: standard support ends 2027-01-31 (the worked example on the charges page);
    # Extended Support runs up to three years after that.
    SupportWindow("redis", 6, date(2027, 1, 31), date(2030, 1, 31), EXTENDED_SUPPORT_CHARGES_DOC),
)


def support_window(engine: str, version: Version) -> SupportWindow | None:
    """The published window of this engine's major version, or None when AWS announced none."""
    for window in SUPPORT_WINDOWS:
        if window.engine == engine and window.major == version.major:
            return window
    return None


def past_standard_support(engine: str, version: Version, today: date) -> SupportWindow | None:
    """The window whose standard support ended before `today`, or None while still supported."""
    window = support_window(engine, version)
    if window is not None and today > window.standard_support_ends:
        return window
    return None
