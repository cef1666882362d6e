"""Year-end check formulas (RULES.md 7). Pure: plain Decimals and ints in, a dataclass out,
with every intermediate kept so the report can spell the arithmetic out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from procurement.compliance.rules import ComplianceRules
from procurement.core.messages import Message
from procurement.core.money import round_amount, round_places, round_ratio

ZERO = Decimal("0")
SCORE_DECIMALS = 2  # an assessment score out of 100, e.g. 87.35


@dataclass(frozen=True)
class LotYear:
    """One hospital x lot of a contract year (winning price = the agreed-volume-weighted
    contract price when a hospital has several suppliers for the lot)."""

    lot_id: int
    agreed: int
    accepted: int  # accepted winning quantity within the contract year
    reference_price: Decimal
    winning_price: Decimal
    non_winning_amount: Decimal = ZERO  # accepted non-winning purchases x their price
    non_winning_quantity: int = 0


@dataclass(frozen=True)
class LotResult:
    lot_id: int
    agreed: int
    accepted: int
    completion: Decimal
    shortfall: int
    price_gap: Decimal
    deduction: Decimal
    budget: Decimal
    actual: Decimal


def shortfall(agreed: int, accepted: int) -> int:
    """max(0, agreed - accepted)."""
    return max(0, agreed - accepted)


def budget_deduction(short: int, reference: Decimal, winning: Decimal, ratio: Decimal) -> Decimal:
    """shortfall x (reference - winning) x fund ratio, rounded to fen (never negative)."""
    return round_amount(Decimal(short) * max(ZERO, reference - winning) * ratio)


def lot_result(item: LotYear, rules: ComplianceRules) -> LotResult:
    """Per hospital x lot: completion, shortfall, deduction, budget and actual spend."""
    ratio = rules.fund_payment_ratio
    short = shortfall(item.agreed, item.accepted)
    within = min(item.accepted, item.agreed)
    budget = round_amount(Decimal(item.agreed) * item.reference_price * ratio)
    actual = round_amount((Decimal(within) * item.winning_price + item.non_winning_amount) * ratio)
    return LotResult(
        lot_id=item.lot_id,
        agreed=item.agreed,
        accepted=item.accepted,
        completion=round_ratio(Decimal(item.accepted) / item.agreed) if item.agreed else ZERO,
        shortfall=short,
        price_gap=item.reference_price - item.winning_price,
        deduction=budget_deduction(short, item.reference_price, item.winning_price, ratio),
        budget=budget,
        actual=actual,
    )


def assessment_score(
    completion: Decimal, payment_rate: Decimal, non_winning_share: Decimal, rules: ComplianceRules
) -> Decimal:
    """60 x min(completion, 1) + 20 x 30-day payment rate + 20 x (1 - non-winning share)."""
    w_done, w_pay, w_share = rules.score_weights
    score = (
        w_done * min(completion, Decimal(1))
        + w_pay * payment_rate
        + w_share * (Decimal(1) - non_winning_share)
    )
    return round_places(score, SCORE_DECIMALS)


def grade(score: Decimal, rules: ComplianceRules) -> tuple[str, Decimal]:
    """(grade, retention ratio): A >= 80 -> 50%, B >= 70 -> 40%, C >= 60 -> 30%, else D 0%."""
    for name, minimum, ratio in rules.grades:
        if score >= minimum:
            return name, ratio
    return "D", ZERO


@dataclass(frozen=True)
class TierPart:
    lower: Decimal
    upper: Decimal | None
    amount: Decimal
    retained_share: Decimal
    retained: Decimal


def tiered_retention(
    balance: Decimal, budget: Decimal, rules: ComplianceRules
) -> tuple[Decimal, list[TierPart]]:
    """Split the savings ``balance`` into bands of the savings rate (share of ``budget``):
    up to 5% retained in full, 5-10% 70%, 10-15% 30%, above 15% nothing. Returns
    (retained total, parts)."""
    parts: list[TierPart] = []
    lower = ZERO
    for upper_rate, kept in (*rules.tiers, (None, ZERO)):
        cap = balance if upper_rate is None else min(balance, budget * upper_rate)
        amount = max(ZERO, cap - budget * lower)
        if amount > 0 or upper_rate is None:
            parts.append(
                TierPart(lower, upper_rate, round_amount(amount), kept, round_amount(amount * kept))
            )
        if upper_rate is None:
            break
        lower = upper_rate
    parts = [p for p in parts if p.amount > 0]
    return round_amount(sum((p.retained for p in parts), ZERO)), parts


@dataclass(frozen=True)
class HospitalYear:
    lots: tuple[LotResult, ...]
    agreed: int
    accepted: int
    completion: Decimal
    deduction: Decimal
    budget: Decimal
    actual: Decimal
    balance: Decimal
    savings_rate: Decimal
    payment_rate: Decimal
    non_winning_share: Decimal
    scheme: str
    score: Decimal | None
    grade: str | None
    retention_ratio: Decimal | None
    tiers: tuple[TierPart, ...]
    retained: Decimal
    retained_note: str


def non_winning_share(winning: int, non_winning: int) -> Decimal:
    """non-winning / (winning within the agreed volumes + non-winning), 0 when both are 0."""
    total = winning + non_winning
    return round_ratio(Decimal(non_winning) / total) if total else ZERO


def hospital_year(
    items: list[LotYear],
    payment_rate: Decimal,
    rules: ComplianceRules,
    scheme: str | None = None,
) -> HospitalYear:
    """The year-end result of one hospital: lots, deduction, balance and retained savings."""
    scheme = scheme or rules.retention_scheme
    lots = tuple(lot_result(item, rules) for item in items)
    agreed = sum(r.agreed for r in lots)
    accepted = sum(r.accepted for r in lots)
    done = round_ratio(Decimal(accepted) / agreed) if agreed else ZERO
    budget = sum((r.budget for r in lots), ZERO)
    actual = sum((r.actual for r in lots), ZERO)
    balance = max(ZERO, budget - actual)
    winning_qty = sum(min(i.accepted, i.agreed) for i in items)
    nw_share = non_winning_share(winning_qty, sum(i.non_winning_quantity for i in items))
    base: dict[str, Any] = dict(
        lots=lots,
        agreed=agreed,
        accepted=accepted,
        completion=done,
        deduction=sum((r.deduction for r in lots), ZERO),
        budget=budget,
        actual=actual,
        balance=balance,
        savings_rate=round_ratio(balance / budget) if budget else ZERO,
        payment_rate=payment_rate,
        non_winning_share=nw_share,
        scheme=scheme,
    )
    blocked = rules.require_full_completion and any(r.accepted < r.agreed for r in lots)
    if scheme == "tiers":
        retained, parts = tiered_retention(balance, budget, rules)
        note = NOTHING_RETAINED if blocked else ""
        return HospitalYear(
            **base,
            score=None,
            grade=None,
            retention_ratio=None,
            tiers=tuple(parts),
            retained=ZERO if blocked else retained,
            retained_note=note,
        )
    capped = round_ratio(Decimal(winning_qty) / agreed) if agreed else ZERO
    score = assessment_score(capped, payment_rate, nw_share, rules)
    name, ratio = grade(score, rules)
    retained = ZERO if blocked else round_amount(balance * ratio)
    note = NOTHING_RETAINED if blocked else ""
    return HospitalYear(
        **base,
        score=score,
        grade=name,
        retention_ratio=ratio,
        tiers=(),
        retained=retained,
        retained_note=note,
    )


NOTHING_RETAINED = Message("agreed volume not fully completed: nothing retained")


def explain_lot(
    code: str,
    agreed: int,
    accepted: int,
    reference: Decimal,
    winning: Decimal,
    ratio: Decimal,
    deduction: Decimal,
) -> Message:
    """The deduction of one lot in words and numbers, so a hospital can redo it."""
    short = shortfall(agreed, accepted)
    return Message(
        "{code}: shortfall = max(0, {agreed} - {accepted}) = {short}; deduction = {short} x "
        "({reference} - {winning}) x {ratio} = {deduction}",
        code=code,
        agreed=agreed,
        accepted=accepted,
        short=short,
        reference=reference,
        winning=winning,
        ratio=ratio,
        deduction=deduction,
    )


def explain_retained(
    budget: Decimal,
    actual: Decimal,
    balance: Decimal,
    scheme: str,
    retained: Decimal,
    score: Decimal | None = None,
    grade_name: str | None = None,
    retention_ratio: Decimal | None = None,
    tiers: list[dict[str, Any]] | None = None,
    note: str = "",
) -> list[str]:
    """The retained savings arithmetic, one line per step."""
    lines: list[str] = [
        Message(
            "balance = max(0, budget {budget} - actual {actual}) = {balance}",
            budget=budget,
            actual=actual,
            balance=balance,
        )
    ]
    if scheme == "grades":
        lines.append(
            Message(
                "score {score} -> grade {grade}, retention ratio {ratio}",
                score=score,
                grade=grade_name,
                ratio=retention_ratio,
            )
        )
        kept = round_amount(balance * (retention_ratio or ZERO))
        lines.append(
            Message(
                "retained = {balance} x {ratio} = {kept}",
                balance=balance,
                ratio=retention_ratio,
                kept=kept,
            )
        )
    else:
        for part in tiers or []:
            band = Message(
                "band {lower}-{upper} of the budget: {amount} x {share} = {retained}",
                lower=part["lower"],
                upper=part["upper"] if part["upper"] is not None else Message("above"),
                amount=part["amount"],
                share=part["retained_share"],
                retained=part["retained"],
            )
            lines.append(band)
    if note:
        lines.append(note)
    lines.append(Message("retained savings = {retained}", retained=retained))
    return lines
