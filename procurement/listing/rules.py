"""The listing price rules of RULES.md 13 (pure): every number is a named parameter of
:class:`ListingRules`, never a constant in code.

A listing request is checked against what is on record for its product group (the same generic
name, manufacturer, dosage form and strength, whatever the pack):

- ``lowest_on_record`` (one price across the regions): the requested unit price is at most the
  lowest on record: every active listing of the group in any region and, in a region the group
  supplies as a VBP winner, its winning price there. Above it the check fails and names the
  figure and where it came from.
- ``unsupplied_region`` (national batches 8-9): a VBP winner's listing in a region it does not
  supply (or platform-wide) is at most ``unsupplied_region_price_multiple`` x its winning
  price (the lowest of its current wins). Above it the check fails.
- ``non_winning`` (a flag, not a refusal): a product of a VBP generic name (same generic name and
  dosage class as a lot with winners) that did not win, priced above
  ``non_winning_price_multiple`` x the lot's highest winning price, compared at the lot's
  representative strength (RULES.md 1 comparable price). The default 2 is the threshold of
  RULES.md 9 (a non-winning product at 2x the winning price or more is paid at its own price
  minus 30%).

All prices are per smallest unit (片/粒/支 ...), 4 places.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from procurement.catalog.rules import comparable_unit_price
from procurement.core.messages import N_
from procurement.core.money import round_unit_price

PASS, FAIL, FLAG, NOT_APPLICABLE = "pass", "fail", "flag", "not_applicable"
STATUSES = (PASS, FAIL, FLAG, NOT_APPLICABLE)
CHECKS = ("lowest_on_record", "unsupplied_region", "non_winning")
BLOCKING = (FAIL,)  # a request with a failed check cannot be approved; a flag needs a reason
MAX_MULTIPLE = Decimal("100")  # a multiple above 100x is a typo


@dataclass(frozen=True)
class ListingRules:
    """The listing parameters (RULES.md 13); a deployment overrides them in LISTING_RULES."""

    # National batches 8-9: in a province a winner does not supply, at most 1.5x its winning price.
    unsupplied_region_price_multiple: Decimal = Decimal("1.5")
    # RULES.md 9: a non-winning product at 2x the winning price or more leaves the payment
    # standard; above it the request is flagged for the regulator.
    non_winning_price_multiple: Decimal = Decimal("2")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, Decimal) or not Decimal(1) <= value <= MAX_MULTIPLE:
                raise ValueError(f"{f.name} must be a decimal from 1 to {MAX_MULTIPLE}")

    @classmethod
    def from_mapping(cls, raw: dict[str, Any] | None) -> ListingRules:
        """The defaults with the settings' overrides (decimal strings); unknown names refused."""
        raw = dict(raw or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown listing rules: {', '.join(unknown)}")
        values = {}
        for name, value in raw.items():
            try:
                values[name] = Decimal(str(value))
            except InvalidOperation:
                raise ValueError(f"{name} must be a decimal number, got {value!r}") from None
        return cls(**values)

    def to_dict(self) -> dict[str, str]:
        return {f.name: str(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class ListedPrice:
    """An active listing of the group: its id, region (None: every region) and unit price."""

    listing_id: int
    region_code: str | None
    unit_price: Decimal


@dataclass(frozen=True)
class Win:
    """A current VBP win of the group: the tender and lot, the price it is paid per smallest unit
    and the provinces it supplies."""

    tender_code: str
    lot_code: str
    unit_price: Decimal
    regions: frozenset[str]


@dataclass(frozen=True)
class VbpLot:
    """A lot with winners of the same generic name and dosage class (the group did not win it):
    its representative strength, the tender's strength price factor and the highest winning
    comparable price."""

    tender_code: str
    lot_code: str
    reference_strength: Decimal
    factor: Decimal
    highest_winning_price: Decimal


@dataclass(frozen=True)
class Proposal:
    unit_price: Decimal
    region_code: str | None  # a province code, None = platform-wide
    strength: Decimal


@dataclass(frozen=True)
class Check:
    """One check's result: its code, status, the sentence's template and its figures (strings,
    region codes as codes; ``presenting.summary`` names them in the reader's language)."""

    code: str
    status: str
    template: str
    params: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "template": self.template,
            "params": self.params,
        }


def _price(value: Decimal) -> str:
    return str(round_unit_price(value))


def check_lowest_on_record(proposal: Proposal, listed: list[ListedPrice], wins: list[Win]) -> Check:
    """One price across the regions: at most the lowest active listing of the group anywhere,
    and in a region the group supplies as a winner, at most its winning price there."""
    records: list[tuple[Decimal, int, dict[str, str]]] = [
        (
            p.unit_price,
            1,
            {
                "source": "listing",
                "listing_id": str(p.listing_id),
                "source_region": p.region_code or "",
            },
        )
        for p in listed
    ]
    if proposal.region_code is not None:
        records += [
            (
                w.unit_price,
                0,
                {
                    "source": "tender",
                    "tender_code": w.tender_code,
                    "lot_code": w.lot_code,
                    "source_region": proposal.region_code,
                },
            )
            for w in wins
            if proposal.region_code in w.regions
        ]
    price = _price(proposal.unit_price)
    if not records:
        return Check(
            "lowest_on_record",
            PASS,
            N_("No price is on record for this product in any region: {price} is the first."),
            {"price": price},
        )
    lowest, _, source = min(records, key=lambda r: (r[0], r[1], sorted(r[2].items())))
    params = {"price": price, "lowest": _price(lowest), **source}
    by_listing = source["source"] == "listing"
    if proposal.unit_price <= lowest:
        template = (
            N_(
                "{price} is not above the lowest on record, {lowest} (listing #{listing_id}, "
                "{source_region})."
            )
            if by_listing
            else N_(
                "{price} is not above the lowest on record, {lowest} (winning price of "
                "tender {tender_code} lot {lot_code} in {source_region})."
            )
        )
        return Check("lowest_on_record", PASS, template, params)
    template = (
        N_(
            "{price} is above the lowest on record, {lowest}: listing #{listing_id} in "
            "{source_region}."
        )
        if by_listing
        else N_(
            "{price} is above the lowest on record, {lowest}: the winning price of tender "
            "{tender_code} lot {lot_code} in {source_region}."
        )
    )
    return Check("lowest_on_record", FAIL, template, params)


def check_unsupplied_region(proposal: Proposal, wins: list[Win], rules: ListingRules) -> Check:
    """A winner's listing where it does not supply: at most the multiple x its winning price."""
    if not wins:
        return Check(
            "unsupplied_region",
            NOT_APPLICABLE,
            N_("Not a current VBP winner: the rule does not apply."),
            {},
        )
    supplied = frozenset().union(*(w.regions for w in wins))
    if proposal.region_code is not None and proposal.region_code in supplied:
        return Check(
            "unsupplied_region",
            NOT_APPLICABLE,
            N_(
                "The product supplies {region} as a VBP winner: the winning price applies there "
                "(see the lowest on record)."
            ),
            {"region": proposal.region_code},
        )
    win = min(wins, key=lambda w: (w.unit_price, w.tender_code, w.lot_code))
    multiple = rules.unsupplied_region_price_multiple
    limit = round_unit_price(win.unit_price * multiple)
    params = {
        "price": _price(proposal.unit_price),
        "winning": _price(win.unit_price),
        "multiple": str(multiple),
        "limit": str(limit),
        "tender_code": win.tender_code,
        "lot_code": win.lot_code,
        "region": proposal.region_code or "",
        "supplied": ",".join(sorted(supplied)),
    }
    if proposal.unit_price <= limit:
        template = N_(
            "{price} is within {multiple} x the winning price {winning} (tender "
            "{tender_code} lot {lot_code}) = {limit} in {region}, which it does not "
            "supply."
        )
        return Check("unsupplied_region", PASS, template, params)
    template = N_(
        "{price} is above {multiple} x the winning price {winning} (tender {tender_code} "
        "lot {lot_code}) = {limit}, the most it may be listed at in {region}, which it "
        "does not supply."
    )
    return Check("unsupplied_region", FAIL, template, params)


def check_non_winning(
    proposal: Proposal, wins: list[Win], lots: list[VbpLot], rules: ListingRules
) -> Check:
    """A non-winning product of a VBP generic name above the multiple of the winning price (at
    the lot's representative strength) is flagged; the lot that gives the highest ratio is named."""
    if wins or not lots:
        template = (
            N_("A VBP winner: the non-winning rule does not apply.")
            if wins
            else N_("No current VBP lot has this generic name and dosage class.")
        )
        return Check("non_winning", NOT_APPLICABLE, template, {})
    multiple = rules.non_winning_price_multiple
    rows = []
    for lot in lots:
        comparable = comparable_unit_price(
            proposal.unit_price, proposal.strength, lot.reference_strength, lot.factor
        )
        limit = round_unit_price(lot.highest_winning_price * multiple)
        rows.append((comparable / limit, lot, comparable, limit))
    _, lot, comparable, limit = max(rows, key=lambda r: (r[0], r[1].tender_code, r[1].lot_code))
    params = {
        "price": _price(proposal.unit_price),
        "comparable": str(comparable),
        "winning": _price(lot.highest_winning_price),
        "multiple": str(multiple),
        "limit": str(limit),
        "tender_code": lot.tender_code,
        "lot_code": lot.lot_code,
    }
    if comparable <= limit:
        template = N_(
            "Comparable price {comparable} (from {price}) is within {multiple} x the "
            "highest winning price {winning} of tender {tender_code} lot {lot_code} = "
            "{limit}."
        )
        return Check("non_winning", PASS, template, params)
    template = N_(
        "Comparable price {comparable} (from {price}) is above {multiple} x the highest "
        "winning price {winning} of tender {tender_code} lot {lot_code} = {limit}: "
        "flagged for review."
    )
    return Check("non_winning", FLAG, template, params)


def run_checks(
    proposal: Proposal,
    *,
    listed: list[ListedPrice],
    wins: list[Win],
    lots: list[VbpLot],
    rules: ListingRules,
) -> list[Check]:
    """Every check of a listing request, in the order of CHECKS."""
    return [
        check_lowest_on_record(proposal, listed, wins),
        check_unsupplied_region(proposal, wins, rules),
        check_non_winning(proposal, wins, lots, rules),
    ]


def outcome(checks: list[dict[str, Any]]) -> str:
    """The worst status of stored checks: fail, then flag, then pass."""
    statuses = {c["status"] for c in checks}
    for status in (FAIL, FLAG):
        if status in statuses:
            return status
    return PASS
