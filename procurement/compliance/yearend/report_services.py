"""The year-end report: each hospital's result with its arithmetic spelled out, line by line,
so a hospital can redo every figure."""

from __future__ import annotations

from decimal import Decimal

from procurement.compliance.yearend import rules as ye
from procurement.compliance.yearend.models import YearEndResult, YearEndRun
from procurement.core.messages import Message


def explain(run: YearEndRun, result: YearEndResult) -> list[str]:
    """The arithmetic of one hospital's result, line by line (for the report)."""
    ratio = Decimal(str(run.rules.get("fund_payment_ratio", "0.7")))
    lines = [
        ye.explain_lot(
            line.lot.code,
            line.agreed,
            line.accepted,
            line.reference_price,
            line.winning_price,
            ratio,
            line.deduction,
        )
        for line in result.lines
    ]
    lines.append(Message("budget deduction for next year = {amount}", amount=result.deduction))
    for line in result.lines:
        lines.append(
            f"{line.lot.code}: budget = {line.agreed} x {line.reference_price} x {ratio} = "
            f"{line.budget}; actual = (min({line.accepted}, {line.agreed}) x "
            f"{line.winning_price} + {line.non_winning_amount}) x {ratio} = {line.actual}"
        )
    lines += ye.explain_retained(
        result.budget,
        result.actual,
        result.balance,
        run.scheme,
        result.retained,
        score=result.score,
        grade_name=result.grade,
        retention_ratio=result.retention_ratio,
        tiers=result.tiers,
        note=result.note,
    )
    return lines


def with_arithmetic(run: YearEndRun, results: list[YearEndResult]) -> list[YearEndResult]:
    for result in results:
        result.arithmetic = explain(run, result)  # type: ignore[attr-defined]
    return results
