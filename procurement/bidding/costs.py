"""Cost disclosure (RULES.md 10), pure: which bids file a cost breakdown, by when, and whether
a breakdown's figures hold together. No I/O: ``now`` and the rules' values are passed in."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from procurement.core.clock import business_date, day_start
from procurement.core.messages import N_, Message
from procurement.core.money import UNIT_PRICE_DECIMALS, has_places, round_unit_price

# The three figures of a breakdown, per smallest unit, in the order they are shown.
FIGURES = ("manufacturing_cost", "period_expenses", "profit")
MAX_COST_NOTE = 500  # characters


def disclosure_threshold(anchor: Decimal, ratio: Decimal) -> Decimal:
    """The comparable price under which a bid discloses its costs: ratio x the anchor."""
    return round_unit_price(anchor * ratio)


def needs_breakdown(comparable_price: Decimal, threshold: Decimal) -> bool:
    """Strictly below the threshold: a bid exactly at it files nothing."""
    return comparable_price < threshold


def disclosure_deadline(opened_at: datetime, days: int) -> datetime:
    """The end of the business day ``days`` calendar days after the opening's (the instant the
    next business day begins): a breakdown filed before it is in time."""
    return day_start(business_date(opened_at) + timedelta(days=days + 1))


def in_time(now: datetime, due_at: datetime) -> bool:
    return now < due_at


def figure_errors(figures: dict[str, Decimal | None], unit_price: Decimal) -> dict[str, list]:
    """Field errors of a breakdown: each figure given, not negative, at most 4 places; and their
    sum equal to the bid's unit price (said beside the profit, the figure that balances it)."""
    errors: dict[str, list] = {}
    for name in FIGURES:
        value = figures.get(name)
        if value is None:
            errors[name] = [N_("required")]
        elif value < 0:
            errors[name] = [N_("must not be negative (a bid is never below cost)")]
        elif not has_places(value, UNIT_PRICE_DECIMALS):
            errors[name] = [N_("at most 4 decimal places")]
    if errors:
        return errors
    total = sum((figures[name] or Decimal(0) for name in FIGURES), Decimal(0))
    price = round_unit_price(unit_price)
    if total != price:
        errors["profit"] = [
            Message(
                "the three figures sum to {total}, not to the bid's unit price {price}",
                total=f"{total:.4f}",
                price=f"{price:.4f}",
            )
        ]
    return errors
