"""Decimal money. The one place where rounding happens (ROUND_HALF_UP).

Unit prices keep 4 decimal places (a tablet can cost 0.0123 yuan), amounts 2. Quantities are
plain ``int`` in the lot's smallest unit and never pass through here as floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY = "CNY"
UNIT_PRICE_PLACES = Decimal("0.0001")
AMOUNT_PLACES = Decimal("0.01")
RATIO_PLACES = Decimal("0.0001")


def to_decimal(value: object) -> Decimal:
    """Convert str/int/Decimal to Decimal. Floats are refused: they already lost precision."""
    if isinstance(value, bool | float):
        raise TypeError(f"refusing {type(value).__name__} for money: pass a str or Decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal number: {value!r}") from exc
    else:
        raise TypeError(f"cannot convert {type(value).__name__} to Decimal")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def round_unit_price(value: Decimal) -> Decimal:
    """Round a per-unit price to 4 places, half up."""
    return value.quantize(UNIT_PRICE_PLACES, rounding=ROUND_HALF_UP)


def round_amount(value: Decimal) -> Decimal:
    """Round an amount of money to 2 places (fen), half up."""
    return value.quantize(AMOUNT_PLACES, rounding=ROUND_HALF_UP)


def as_entered(value: Decimal) -> Decimal:
    """A price exactly as someone entered it: its own digits, with at least 2 places
    (``1.37`` and ``1.370000`` as stored both read ``1.37``; ``1.3725`` stays ``1.3725``).
    Never rounds."""
    trimmed = value.normalize()
    if trimmed.as_tuple().exponent > -2:  # type: ignore[operator]
        return value.quantize(AMOUNT_PLACES)
    return trimmed


def plain(value: Decimal) -> str:
    """A Decimal's digits without an exponent or trailing zeros (a strength: ``150``, ``0.5``,
    ``12.5``; never ``1.5E+2``)."""
    return format(value.normalize(), "f")


def round_ratio(value: Decimal) -> Decimal:
    """Round a ratio (price cut, completion) to 4 places, half up."""
    return value.quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def round_quantity(value: Decimal) -> int:
    """Round a quantity to whole smallest units, half up (agreed volume = demand x ratio)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_total(quantity: int, unit_price: Decimal) -> Decimal:
    """Quantity x unit price, rounded to fen: the documented rounding point for a line."""
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise TypeError("quantity must be an int")
    return round_amount(Decimal(quantity) * unit_price)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount with its ISO 4217 currency. Mixing currencies raises."""

    amount: Decimal
    currency: str = CURRENCY

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"currency must be an ISO 4217 code, got {self.currency!r}")

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def rounded(self) -> Money:
        return Money(round_amount(self.amount), self.currency)

    def __str__(self) -> str:
        return f"{round_amount(self.amount):,} {self.currency}"
