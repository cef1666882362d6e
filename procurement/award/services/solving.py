"""From one lot's inputs to its result: selection, agreed volumes, the allocation problem, and
the rows that record them (AwardLotResult, AwardBidOutcome, AwardAllocation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from procurement.award.allocation import AllocationProblem, AllocationResult, Hospital, Winner
from procurement.award.brand_reports import BrandPlan, Part, plan_brands
from procurement.award.models import (
    AwardAllocation,
    AwardBidOutcome,
    AwardLotResult,
    LotStatus,
)
from procurement.award.selection import BidOutcome, Outcome, SelectionResult, select_winners
from procurement.award.services.cost_disclosure import disclose_costs
from procurement.award.services.inputs import LotInputs
from procurement.award.volume_limits import volume_limits
from procurement.award.volumes import agreed_volumes, contract_years, volume_ratio
from procurement.bidding.models import Bid
from procurement.catalog.rules import RulesSet
from procurement.core.messages import Message
from procurement.core.money import round_ratio


@dataclass
class LotPlan:
    """One lot before solving: its selection, volumes and (unless failed) its problem."""

    inputs: LotInputs
    selection: SelectionResult
    ratio: Decimal | None
    years: int
    agreed: dict[str, int]
    problem: AllocationProblem | None
    brands: BrandPlan = field(default_factory=BrandPlan)

    @property
    def bids_by_id(self) -> dict[str, Bid]:
        return {str(b.id): b for b in self.inputs.bids}

    @property
    def bids_by_code(self) -> dict[str, Bid]:
        """The optimizer knows winners by manufacturer code (readable reasons)."""
        return {b.manufacturer.code: b for b in self.inputs.bids}


def plan_lot(
    item: LotInputs, rules: RulesSet, options: dict[str, Any], max_years: int, *, now: datetime
) -> LotPlan:
    """Select the winners, compute agreed volumes and build the allocation problem."""
    selection = select_winners(item.selection_input, rules)
    selection = disclose_costs(selection, item, rules, now)
    if selection.failed or not selection.winners:
        return LotPlan(item, selection, None, 0, {}, None)
    n, lot = selection.winner_count, item.lot
    restricted = lot.antimicrobial_restricted
    ratio = volume_ratio(n, rules, restricted_antimicrobial=restricted)
    demands = {str(d.hospital_id): d.quantity for d in item.demand}
    agreed = agreed_volumes(demands, n, rules, restricted_antimicrobial=restricted)
    years = min(contract_years(n, rules), max_years)
    province = {str(d.hospital_id): d.province_code for d in item.demand}
    bids = {str(b.id): b for b in item.bids}
    comparable = options.get("cost_basis", rules.allocation.cost_basis) == "comparable"
    winners = tuple(
        _winner(bids[o.bid_id], o.award_price, 0, o.award_comparable_price if comparable else None)
        for o in selection.winners
    )
    brands = plan_brands(
        [
            Part(str(p.hospital_id), str(p.product_id), p.quantity, p.report_quantity)
            for p in item.brand_parts
        ],
        agreed,
        province,
        {
            str(bids[o.bid_id].product_id): w
            for o, w in zip(selection.winners, winners, strict=True)
        },
        Decimal(options["max_share"]),
    )
    problem = AllocationProblem(
        lot_id=lot.code,
        winners=winners,
        hospitals=tuple(
            Hospital(h, province[h], q) for h, q in brands.open_quantity.items() if agreed[h] > 0
        ),
        granularity=options["granularity"],
        min_share=Decimal(options["min_share"]),
        max_share=Decimal(options["max_share"]),
        unit=lot.smallest_unit.value,
        reserves=_reserves(selection, bids, comparable),
        every_winner_gets_a_region=rules.allocation.every_winner_gets_a_region,
        fixed=brands.fixed,
    )
    return LotPlan(item, selection, ratio, years, agreed, problem, brands)


def _winner(bid: Bid, price: Decimal | None, rank: int, cost: Decimal | None) -> Winner:
    """The optimizer's view of a bid: paid `price`, compared at `cost` (None: at `price`)."""
    assert price is not None
    regions = frozenset(bid.regions) if bid.regions else None
    return Winner(bid.manufacturer.code, price, bid.capacity or 0, regions, rank, cost)


def _reserves(
    selection: SelectionResult, bids: dict[str, Bid], comparable: bool
) -> tuple[Winner, ...]:
    """Next-ranked valid bids that did not win, in rank order, at their own price (compared at
    their comparable price under the "comparable" cost basis)."""
    losers = sorted(
        (o for o in selection.outcomes if o.outcome == Outcome.LOST and o.rank is not None),
        key=lambda o: o.rank or 0,
    )
    return tuple(
        _winner(
            bids[o.bid_id], bids[o.bid_id].unit_price, i, o.comparable_price if comparable else None
        )
        for i, o in enumerate(losers, 1)
    )


def lot_status(plan: LotPlan, result: AllocationResult | None) -> LotStatus:
    if plan.problem is None:
        return LotStatus.FAILED
    assert result is not None
    if result.ok:
        return LotStatus.OK
    return LotStatus.INFEASIBLE if result.status == "infeasible" else LotStatus.ERROR


def lot_row(plan: LotPlan, result: AllocationResult | None, granularity: str) -> AwardLotResult:
    """The stored result of one lot, with its outcomes and allocation rows."""
    sel, lot = plan.selection, plan.inputs.lot
    row = AwardLotResult(
        lot_id=lot.id,
        lot_code=lot.code,
        status=lot_status(plan, result),
        selection_reason=sel.reason,
        declared_count=sel.declared_count,
        valid_count=sel.valid_count,
        winner_count=sel.winner_count,
        anchor_price=sel.anchor,
        revival_price=sel.revival_price,
        volume_ratio=plan.ratio,
        contract_years=plan.years,
        total_demand=sum(d.quantity for d in plan.inputs.demand),
        total_agreed=sum(plan.agreed.values()),
        granularity=granularity,
    )
    if result is not None:
        _fill_solution(row, result)
    row.outcomes = _outcome_rows(plan, result)
    row.allocations = _allocation_rows(plan, result) if result is not None and result.ok else []
    row.backups = _backups(plan, result) if result is not None and result.ok else {}
    row.brand_report = _brand_record(plan)
    return row


def _brand_record(plan: LotPlan) -> dict[str, Any] | None:
    """The lot's brand reports as stored: hospitals and winners by id (bid ids for winners)."""
    record = plan.brands.record()
    if record is not None:
        codes = plan.bids_by_code
        for cut in record["cuts"]:
            cut["hospital"] = int(cut["hospital"])
            cut["bid_id"] = codes[cut.pop("winner")].id
    return record


def _fill_solution(row: AwardLotResult, result: AllocationResult) -> None:
    row.solver_status, row.proven_optimal = result.status, result.proven_optimal
    row.objective, row.lp_bound, row.gap = result.objective, result.lp_bound, result.gap
    row.diagnosis = "; ".join(d.message for d in result.diagnosis)  # the API's one line
    row.diagnosis_items = [
        {"constraint": d.constraint, "message": d.message, "shortfall": d.shortfall}
        for d in result.diagnosis
    ]
    row.suggestions = list(result.suggestions) if not result.ok else []
    row.fallback_used, row.message = result.fallback_used, result.message
    t = result.timings
    row.build_s, row.solve_s, row.total_s = t.build_s, t.solve_s, t.total_s


def _outcome_rows(plan: LotPlan, result: AllocationResult | None) -> list[AwardBidOutcome]:
    bids, codes = plan.bids_by_id, plan.bids_by_code
    solved = result.winner_totals if result is not None and result.ok else ()
    totals = {str(codes[t.winner_id].id): t for t in solved}
    limits = (
        {
            str(codes[w].id): note
            for w, note in volume_limits(plan.problem, result, plan.brands.cut_by_winner).items()
        }
        if plan.problem is not None and result is not None
        else {}
    )
    ordered = sorted(plan.selection.outcomes, key=_display_key)
    rows = []
    for position, o in enumerate(ordered, start=1):
        total = totals.get(o.bid_id)
        reserve = total is not None and total.reserve and total.quantity > 0
        price = (
            o.award_price
            if o.award_price is not None
            else (bids[o.bid_id].unit_price if reserve else None)
        )
        reason = o.reason
        if reserve:
            reason = Message("{reason}; used as a reserve supplier by the fallback", reason=reason)
        rows.append(
            AwardBidOutcome(
                bid_id=int(o.bid_id),
                manufacturer_id=int(o.bidder_id),
                position=position,
                outcome=o.outcome.value,
                reason=reason,
                rank=o.rank,
                comparable_price=o.comparable_price,
                award_unit_price=price,
                award_comparable_price=o.award_comparable_price
                or (o.comparable_price if reserve else None),
                reserve=reserve,
                allocated=total.quantity if total else 0,
                share=round_ratio(total.share) if total else None,
                volume_limit=limits.get(o.bid_id) if total else None,
            )
        )
    return rows


def _display_key(o: BidOutcome) -> tuple[int, int, str]:
    order = {Outcome.WON: 0, Outcome.REVIVED: 1, Outcome.LOST: 2, Outcome.INVALID: 3}
    return (order[o.outcome], o.rank or 10**9, o.bid_id)


def _allocation_rows(plan: LotPlan, result: AllocationResult) -> list[AwardAllocation]:
    codes = plan.bids_by_code
    rows = []
    for a in result.allocations:
        if a.quantity > 0:
            bid = codes[a.winner_id]
            rows.append(
                AwardAllocation(
                    lot_id=plan.inputs.lot.id,
                    hospital_id=int(a.hospital_id),
                    region_code=a.region,
                    bid_id=bid.id,
                    manufacturer_id=bid.manufacturer_id,
                    quantity=a.quantity,
                    unit_price=a.unit_price,
                    amount=a.amount,
                    reason=a.reason,
                    brand_quantity=a.fixed,
                )
            )
    return rows


def _backups(plan: LotPlan, result: AllocationResult) -> dict[str, int]:
    """Per province, the backup supplier (RULES.md 3): the optimizer's under region sourcing,
    otherwise the cheapest other winner serving the province with capacity left."""
    codes = plan.bids_by_code
    if result.backups:
        return {region: codes[code].id for region, code in result.backups}
    assert plan.problem is not None
    used = {t.winner_id: t.quantity for t in result.winner_totals}
    main: dict[str, dict[str, int]] = {}
    for a in result.allocations:
        main.setdefault(a.region, {}).setdefault(a.winner_id, 0)
        main[a.region][a.winner_id] += a.quantity
    out = {}
    winners = sorted(plan.problem.winners, key=lambda w: (w.basis, w.id))
    for region, supplied in sorted(main.items()):
        primary = max(supplied, key=lambda w: (supplied[w], w))
        for w in winners:
            if w.id != primary and w.serves(region) and w.capacity > used.get(w.id, 0):
                out[region] = codes[w.id].id
                break
    return out
