"""Named data sizes. Accounts are grouped 50 to an organization, so the KPI query for one
organization reads the same amount of data at every scale while the tables grow around it."""

from __future__ import annotations

from dataclasses import dataclass

ACCOUNTS_PER_ORG = 50
POSTS_PER_MONTH = 8
POST_SNAPSHOT_DAYS = 30
KPI_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Scale:
    name: str
    accounts: int
    days: int

    @property
    def database(self) -> str:
        return f"socialmetrics_bench_{self.name}"

    @property
    def organizations(self) -> int:
        return -(-self.accounts // ACCOUNTS_PER_ORG)


SCALES = {
    "s": Scale("s", 50, 365),
    "m": Scale("m", 500, 730),
    "l": Scale("l", 2000, 1095),
    # `--quick`: one organization, just enough days for the 90-day KPI window.
    "quick": Scale("quick", 50, 100),
}
