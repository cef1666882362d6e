"""What-if rules (政策仿真): one lot's result under one rules variant, and the comparison of
variants. Pure: the award's own selection (``award.selection``), agreed volumes
(``award.volumes``) and allocation optimizer (``award.optimizer``) do the work; this module
only sums their answers up.

Expected spend of a lot = the optimizer's allocation of the agreed volume, each winner at its
own award price (what the award would pay). Savings = the lot's reference price x the agreed
volume, minus the expected spend. The average price is spend / agreed volume; the change in
average price compares a variant with the baseline (the tender's own rules).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from procurement.award.allocation import AllocationResult
from procurement.award.selection import BidOutcome, Outcome, SelectionResult
from procurement.core.money import line_total, round_amount, round_ratio, round_unit_price

MAX_SIMULATION_VARIANTS = 6  # variants besides the baseline in one simulation
MAX_VARIANT_NAME = 80  # characters of a variant's name


class LotStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"  # no winner: 流标
    INFEASIBLE = "infeasible"  # winners, but the allocation cannot hold the agreed volume


@dataclass(frozen=True)
class WinnerLine:
    """One winner of a lot under a variant: its name, won or revived, its award unit price
    (own strength) and comparable price, and what the allocation gives it."""

    bidder: str
    outcome: str
    price: Decimal
    comparable: Decimal | None
    quantity: int
    amount: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "bidder": self.bidder,
            "outcome": self.outcome,
            "price": str(self.price),
            "comparable": None if self.comparable is None else str(self.comparable),
            "quantity": self.quantity,
            "amount": str(self.amount),
        }


@dataclass(frozen=True)
class LotResult:
    lot_code: str
    lot_name: str
    status: LotStatus
    winners: tuple[WinnerLine, ...]
    anchor: Decimal | None
    ratio: Decimal | None
    demand: int
    agreed: int
    spend: Decimal | None
    reference_spend: Decimal | None
    note: str = ""


def lot_result(
    *,
    code: str,
    name: str,
    selection: SelectionResult,
    names: dict[str, str],
    ratio: Decimal | None,
    demand: int,
    agreed: int,
    allocation: AllocationResult | None,
    keys: dict[str, str],
    reference_price: Decimal | None,
    reserves: dict[str, Decimal] | None = None,
) -> LotResult:
    """One lot under one variant. ``names`` maps a selection bidder id to its name, ``keys``
    a selection bid id to the optimizer's winner id, ``reserves`` a reserve supplier's winner id
    to its unit price (the award's reserves fallback brings them in when the winners cannot
    hold the lot): a reserve that receives volume is listed after the winners."""
    if selection.failed or not selection.winners or allocation is None:
        return LotResult(
            code, name, LotStatus.FAILED, (), selection.anchor, None, demand, 0, None, None
        )
    totals = {t.winner_id: t for t in allocation.winner_totals} if allocation.ok else {}
    winners = []
    for o in sorted(selection.winners, key=_display_order):
        total = totals.get(keys[o.bid_id])
        assert o.award_price is not None
        winners.append(
            WinnerLine(
                names[o.bidder_id],
                o.outcome.value,
                o.award_price,
                o.award_comparable_price,
                total.quantity if total else 0,
                total.amount if total else round_amount(Decimal(0)),
            )
        )
    winners += _reserve_lines(selection, names, keys, totals, reserves or {})
    reference = None if reference_price is None else line_total(agreed, reference_price)
    if not allocation.ok:
        note = "; ".join(d.message for d in allocation.diagnosis) or allocation.message
        status, spend = LotStatus.INFEASIBLE, None
    else:
        note, status = "", LotStatus.OK
        spend = sum((t.amount for t in allocation.winner_totals), round_amount(Decimal(0)))
    return LotResult(
        code,
        name,
        status,
        tuple(winners),
        selection.anchor,
        ratio,
        demand,
        agreed,
        spend,
        reference,
        note,
    )


def _reserve_lines(
    selection: SelectionResult,
    names: dict[str, str],
    keys: dict[str, str],
    totals: dict[str, Any],
    reserves: dict[str, Decimal],
) -> list[WinnerLine]:
    out = []
    for o in selection.outcomes:
        total = totals.get(keys[o.bid_id])
        if keys[o.bid_id] in reserves and total is not None and total.quantity > 0:
            price = reserves[keys[o.bid_id]]
            out.append(
                WinnerLine(names[o.bidder_id], "reserve", price, None, total.quantity, total.amount)
            )
    return out


def _display_order(o: BidOutcome) -> tuple[bool, Decimal]:
    """Won before revived, cheapest comparable price first."""
    return (o.outcome != Outcome.WON, o.award_comparable_price or Decimal(0))


class LotFigures(Protocol):
    """What the sums read of a lot result (a LotResult or its stored row)."""

    status: Any
    agreed: int
    spend: Decimal | None
    reference_spend: Decimal | None


@dataclass(frozen=True)
class Totals:
    lots: int
    failed: int
    infeasible: int
    agreed: int
    spend: Decimal
    reference_spend: Decimal

    @property
    def savings(self) -> Decimal:
        return self.reference_spend - self.spend

    @property
    def savings_rate(self) -> Decimal | None:
        if not self.reference_spend:
            return None
        return round_ratio(self.savings / self.reference_spend)

    @property
    def average_price(self) -> Decimal | None:
        return average_price(self.spend, self.agreed)


def average_price(spend: Decimal | None, agreed: int) -> Decimal | None:
    """Spend per smallest unit of agreed volume, 4 places (None without volume or spend)."""
    if spend is None or agreed <= 0:
        return None
    return round_unit_price(spend / agreed)


def totals(lots: Iterable[LotFigures]) -> Totals:
    """Sums over the lots that have a spend (allocated); failed and infeasible lots counted."""
    lots = list(lots)
    spent = [lot for lot in lots if lot.spend is not None]
    zero = round_amount(Decimal(0))
    return Totals(
        lots=len(lots),
        failed=sum(str(lot.status) == LotStatus.FAILED for lot in lots),
        infeasible=sum(str(lot.status) == LotStatus.INFEASIBLE for lot in lots),
        agreed=sum(lot.agreed for lot in spent),
        spend=sum((lot.spend or zero for lot in spent), zero),
        reference_spend=sum((lot.reference_spend or zero for lot in spent), zero),
    )


@dataclass(frozen=True)
class PriceChange:
    """A variant's average price against the baseline's: the difference per unit and as a
    share of the baseline's."""

    difference: Decimal
    ratio: Decimal | None


def price_change(variant: Decimal | None, baseline: Decimal | None) -> PriceChange | None:
    if variant is None or baseline is None:
        return None
    ratio = round_ratio((variant - baseline) / baseline) if baseline else None
    return PriceChange(variant - baseline, ratio)


def variant_label(preset: str, overrides: dict[str, Any]) -> str:
    """The default name of a variant: its preset and the overridden fields."""
    if not overrides:
        return preset
    shown = ", ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
    return f"{preset} + {shown}"[:MAX_VARIANT_NAME]
