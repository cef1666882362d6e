"""The demand floor (RULES.md 10, ``rules.demand``): a hospital's reported quantity per lot must
be at least ``floor_share`` x its average annual usage over the ``floor_years`` whole years
before the tender's contract starts.

The usage is the hospital's purchases on the platform (accepted receipt quantities of products
of the lot's generic name and smallest unit) in that window, divided by ``floor_years``; where
the platform has none, the ``last_year_usage`` the hospital reports. Pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

PLATFORM, REPORTED = "platform", "reported"


@dataclass(frozen=True)
class Floor:
    """The figure a report must reach (whole units, rounded up) and where it came from."""

    quantity: int
    average: Decimal  # average annual usage
    share: Decimal
    source: str  # PLATFORM or REPORTED

    def met_by(self, quantity: int) -> bool:
        return quantity >= self.quantity


def usage_window(contract_start: date, years: int) -> tuple[date, date]:
    """The ``years`` whole years before ``contract_start``: [start - years, start) in business
    days (29 February falls back to the 28th)."""
    year = contract_start.year - years
    try:
        first = contract_start.replace(year=year)
    except ValueError:
        first = contract_start.replace(year=year, day=28)
    return first, contract_start


def demand_floor(*, share: Decimal, years: int, platform_usage: int, last_year_usage: int) -> Floor:
    """The floor from the platform's purchases over ``years`` years if there are any, else from
    the reported last-year usage: ``ceil(share x average)``."""
    if platform_usage > 0:
        average, source = Decimal(platform_usage) / Decimal(years), PLATFORM
    else:
        average, source = Decimal(last_year_usage), REPORTED
    return Floor(math.ceil(share * average), average, share, source)
