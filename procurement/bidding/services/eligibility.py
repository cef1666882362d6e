"""Eligibility of a bid at submission (issue 3, item 2), and again at opening.

Every refusal names its field. Messages may quote the sender's own values, never another bid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.bidding.errors import BidderBarred, BidNotAccepted
from procurement.bidding.models import BiddingBan
from procurement.bidding.ranking import Prices, normalize
from procurement.bidding.seal import BidContent
from procurement.catalog.models import Lot, Product, QualityRequirement, Tender
from procurement.catalog.services import rules_of
from procurement.core.clock import business_date
from procurement.core.errors import RuleViolation
from procurement.core.messages import N_, Message

MAX_NOTE = 500
MAX_CAPACITY = 10**15
MAX_PRICE = Decimal("100000000")


@dataclass(frozen=True)
class Checked:
    """A submission that passed: the product, the sealed content and what it will be judged by."""

    product: Product
    content: BidContent
    prices: Prices
    revival_opt_in: bool
    warnings: tuple[str, ...]


def product_problems(product: Product, lot: Lot) -> list[str]:
    """Why ``product`` may not be bid on ``lot`` (empty when it may)."""
    problems = []
    if product.generic_name != lot.generic_name:
        problems.append(
            Message(
                "its generic name is {generic_name}, the lot's {generic_name2}",
                generic_name=product.generic_name,
                generic_name2=lot.generic_name,
            )
        )
    if product.dosage_class != lot.dosage_class:
        problems.append(
            Message(
                "its dosage form class is {dosage_class}, the lot's {dosage_class2}",
                dosage_class=product.dosage_class.value,
                dosage_class2=lot.dosage_class.value,
            )
        )
    if product.smallest_unit != lot.smallest_unit:
        problems.append(
            Message(
                "it counts in {smallest_unit}, the lot in {smallest_unit2}",
                smallest_unit=product.smallest_unit.value,
                smallest_unit2=lot.smallest_unit.value,
            )
        )
    if product.strength_unit != lot.strength_unit:
        problems.append(
            Message(
                "its strength is in {strength_unit}, the lot's in {strength_unit2}",
                strength_unit=product.strength_unit,
                strength_unit2=lot.strength_unit,
            )
        )
    needs_quality = lot.quality_requirement == QualityRequirement.CONSISTENCY_EVALUATED
    if needs_quality and not product.meets_quality_bar:
        problems.append(N_("the lot requires consistency evaluation (or the originator)"))
    cutoff = approval_cutoff(lot.tender)
    if product.approval_date > cutoff:
        problems.append(
            Message(
                "it was approved on {approved}, after the tender's cut-off date {cutoff}",
                approved=product.approval_date.isoformat(),
                cutoff=cutoff.isoformat(),
            )
        )
    return problems


def approval_cutoff(tender: Tender) -> date:
    """The date a product must be approved by to bid (RULES.md 1): the rules' cut-off, else the
    business date of the bid deadline."""
    configured = rules_of(tender).selection.approval_cutoff
    return date.fromisoformat(configured) if configured else business_date(tender.bid_deadline)


def active_ban(
    session: Session, manufacturer_id: int, product_id: int, now: datetime
) -> BiddingBan | None:
    bans = session.scalars(
        select(BiddingBan)
        .where(BiddingBan.manufacturer_id == manufacturer_id)
        .order_by(BiddingBan.starts_at)
    )
    return next((b for b in bans if b.active_at(now) and b.covers(product_id)), None)


def ban_violation(ban: BiddingBan) -> RuleViolation:
    until = ban.until.isoformat() if ban.until else "it is lifted"
    field = "product_id" if ban.product_id is not None else "manufacturer"
    what = "This product is" if ban.product_id is not None else "Your organization is"
    return BidderBarred(
        errors={field: [Message("barred from bidding until {until}", until=until)]},
        what=what,
        until=until,
        level=ban.level,
        reason=ban.reason,
        ban_id=ban.id,
    )


def _price(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        errors["price_per_pack"] = [N_('a positive decimal amount is required, e.g. "47.60"')]
    elif value.as_tuple().exponent < -4:  # type: ignore[operator]
        errors["price_per_pack"] = [N_("at most 4 decimal places")]
    elif value >= MAX_PRICE:
        errors["price_per_pack"] = [Message("must be below {MAX_PRICE}", MAX_PRICE=MAX_PRICE)]
    else:
        return value
    return None


def _capacity(value: Any, errors: dict[str, list[str]]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_CAPACITY:
        errors["capacity"] = [N_("a positive whole number of smallest units per year is required")]
        return None
    return value


def _regions(value: Any, tender: Tender, errors: dict[str, list[str]]) -> tuple[str, ...]:
    scope = list(tender.region_scope or [])
    if value is None:
        return tuple(sorted(scope))
    if not isinstance(value, list | tuple) or not value:
        errors["regions"] = [N_("list at least one province of the tender scope")]
        return ()
    outside = [str(r) for r in value if str(r) not in scope]
    if outside:
        errors["regions"] = [
            Message(
                "{value} not in the tender scope ({value2})",
                value=", ".join(outside),
                value2=", ".join(scope),
            )
        ]
    elif len(set(value)) != len(value):
        errors["regions"] = [N_("a province is listed twice")]
    return tuple(sorted(str(r) for r in value))


def _product(session: Session, value: Any, lot: Lot, actor: Actor, errors) -> Product | None:
    product = session.get(Product, value) if isinstance(value, int) else None
    if product is None or product.manufacturer_id != actor.org_id:
        errors["product_id"] = [N_("not one of your registered products")]
        return None
    problems = product_problems(product, lot)
    if problems:
        errors["product_id"] = [
            Message(
                "does not match lot {lot_code}: {value}",
                lot_code=lot.code,
                value="; ".join(problems),
            )
        ]
        return None
    return product


def check_submission(
    session: Session, *, lot: Lot, data: dict[str, Any], now: datetime, actor: Actor
) -> Checked:
    """Validate a submitted or amended bid; raise with every field at fault."""
    errors: dict[str, list[str]] = {}
    product = _product(session, data.get("product_id"), lot, actor, errors)
    price = _price(data.get("price_per_pack"), errors)
    capacity = _capacity(data.get("capacity"), errors)
    regions = _regions(data.get("regions"), lot.tender, errors)
    note = data.get("note") or ""
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        errors["note"] = [Message("at most {MAX_NOTE} characters of text", MAX_NOTE=MAX_NOTE)]
    warnings: list[str] = []
    prices = None
    if product is not None and price is not None:
        prices, warning = _judge_price(lot, product, price, errors)
        warnings += [warning] if warning else []
    if errors:
        shown = "; ".join(f"{field}: {msgs[0]}" for field, msgs in errors.items())
        raise BidNotAccepted(errors=errors, shown=shown)
    ban = active_ban(session, actor.org_id, product.id, now)
    if ban is not None:
        raise ban_violation(ban)
    content = BidContent(price, capacity, regions, note)
    opt_in = bool(data.get("revival_opt_in", False))
    return Checked(product, content, prices, opt_in, tuple(warnings))


def _judge_price(
    lot: Lot, product: Product, price: Decimal, errors: dict[str, list[str]]
) -> tuple[Prices, str | None]:
    rules = rules_of(lot.tender).selection
    prices = normalize(
        price, product.pack_size, product.strength, lot.reference_strength, rules.price_ratio_factor
    )
    if prices.comparable_price <= lot.ceiling_unit_price:
        return prices, None
    message = Message(
        "your comparable unit price {comparable} (unit price {unit_price} at strength "
        "{strength} {strength_unit}) is above the lot ceiling {ceiling}",
        comparable=prices.comparable_price,
        unit_price=prices.unit_price,
        strength=product.strength,
        strength_unit=product.strength_unit,
        ceiling=lot.ceiling_unit_price,
    )
    if rules.accept_above_ceiling:
        warning = Message(
            "{message}: accepted, but it will be declared invalid at opening", message=message
        )
        return prices, warning
    errors["price_per_pack"] = [message]
    return prices, None
