"""OCDS Cardinal's red flags R018, R024, R025, R028, R035, R036, R038 and R058, computed from
OCDS compiled releases (one contracting process each) exactly as Cardinal's methods and code
describe them (open-contracting/cardinal-rs, MIT; the methods are copied in the shared data).

Pure: dicts in (parsed JSON), dicts out. The result is keyed like Cardinal's output:
``{"OCID" | "Buyer" | "ProcuringEntity" | "Tenderer": {id: {code: value}}}``, a group present
only if something in it was flagged; ``meta`` holds the quartiles and fences used and ``maps``
the flagged tenderers of each flagged process (Cardinal's ``--map``).

Amounts are compared in the type they come in: floats from JSON files (Cardinal's ``f64``),
Decimals from the platform's own data (so two prices equal to the last place are equal, never
merely close). Ratios keep that type; quartiles and fences are computed on their float values
(:mod:`.stats`, R-8 as ``statrs``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from procurement.compliance.redflags import release as rd
from procurement.compliance.redflags.stats import (
    lower_fence,
    quantile,
    quartiles,
    upper_fence,
)

__all__ = ["CODES", "FIXTURE_SETTINGS", "CardinalResult", "Settings", "indicators"]

CODES = ("R018", "R024", "R025", "R028", "R035", "R036", "R038", "R058")


@dataclass(frozen=True)
class Settings:
    """Cardinal's settings (all at their defaults unless given).

    ``no_price_comparison`` / ``price_comparison``: /tender/procurementMethodDetails values whose
    prices must not / may be compared; ``excluded_details``: values whose processes are left out
    entirely; ``currency``: the main currency (None: the first one observed)."""

    no_price_comparison: frozenset[str] = frozenset()
    price_comparison: frozenset[str] = frozenset()
    excluded_details: frozenset[str] = frozenset()
    currency: str | None = None
    r018_procurement_methods: frozenset[str] = frozenset({"open", "selective"})
    r035_threshold: int = 1
    r025_percentile: int = 75
    r038_minimum_submitted_bids: int = 2
    r038_minimum_contracting_processes: int = 2


# How Cardinal's own test suite runs its fixtures (its README and src/lib.rs).
FIXTURE_SETTINGS = Settings(
    no_price_comparison=frozenset({"NPC"}), excluded_details=frozenset({"EXC"})
)


@dataclass
class CardinalResult:
    results: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    meta: dict[str, dict[str, float]] = field(default_factory=dict)
    maps: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))

    def set(self, group: str, key: str, code: str, value: Any) -> None:
        self.results.setdefault(group, {}).setdefault(key, {})[code] = value

    def map(self, code: str, ocid: str, tenderer: str) -> None:
        self.maps[code].setdefault(ocid, set()).add(tenderer)


def indicators(
    releases: Iterable[Mapping[str, Any]],
    *,
    codes: Iterable[str] = CODES,
    settings: Settings = Settings(),
) -> CardinalResult:
    """Run the indicators named by ``codes`` over ``releases`` (in order)."""
    run = _Run(settings, frozenset(codes))
    for release in releases:
        ocid = release.get("ocid") if isinstance(release, Mapping) else None
        if (
            isinstance(ocid, str)
            and not rd.cancelled(release)
            and rd.matches_details(release, frozenset(), settings.excluded_details)
        ):
            run.fold(release, ocid)
    run.finalize()
    return run.out


# ---- the indicators -------------------------------------------------------------------------


class _Run:
    def __init__(self, settings: Settings, codes: frozenset[str]) -> None:
        self.s, self.codes, self.out = settings, codes, CardinalResult()
        self.currency = settings.currency
        self.ratios: dict[str, float | Decimal] = {}  # ocid -> second-lowest bid ratio
        self.pair: dict[str, tuple[str, str]] = {}  # ocid -> (winner, lowest non-winner)
        self.r025: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.r038: dict[str, dict[str, list[int]]] = {
            g: defaultdict(lambda: [0, 0]) for g in ("Buyer", "ProcuringEntity", "Tenderer")
        }

    def _main_currency(self, currency: str) -> bool:
        if self.currency is None:
            self.currency = currency
        return currency == self.currency

    def _compares_prices(self, release) -> bool:
        return rd.matches_details(release, self.s.price_comparison, self.s.no_price_comparison)

    def fold(self, release: Mapping[str, Any], ocid: str) -> None:
        if self.codes & {"R024", "R058"}:
            self._second_lowest(release, ocid)
        for code in ("R018", "R025", "R028", "R035", "R036", "R038"):
            if code in self.codes:
                getattr(self, f"_{code.lower()}")(release, ocid)

    def finalize(self) -> None:
        for code in ("R024", "R025", "R038", "R058"):
            if code in self.codes:
                getattr(self, f"_finish_{code.lower()}")()

    def _meta(self, code: str, **values: float) -> None:
        self.out.meta.setdefault(code, {}).update(values)

    def _second_lowest(self, release, ocid: str) -> None:
        """The winning bid and the lowest valid bid of another tenderer (R024, R058)."""
        final = rd.final_awards_and_bids(release) if self._compares_prices(release) else None
        supplier = rd.single_supplier(final[0]) if final else None
        if supplier is None:
            return
        winner = other = None
        for tenderer, amount, currency in rd.valid_single_tenderer_bids(final[1]):
            if not self._main_currency(currency):
                continue
            if tenderer == supplier:
                if winner is None or amount < winner[1]:
                    winner = (tenderer, amount)  # the winner's lowest bid
            elif other is None or amount < other[1]:
                other = (tenderer, amount)
        if winner and other and other[1] >= winner[1]:  # else not price-only: excluded
            self.ratios[ocid] = rd.ratio(winner[1], other[1])
            self.pair[ocid] = (winner[0], other[0])

    def _r018(self, release, ocid: str) -> None:
        tender = rd.as_obj(release.get("tender"))
        methods = self.s.r018_procurement_methods
        if methods and tender.get("procurementMethod") not in methods:
            return
        count = tender.get("numberOfTenderers")
        if type(count) is int and count == 1:
            self.out.set("OCID", ocid, "R018", 1.0)

    def _r025(self, release, ocid: str) -> None:
        final = rd.final_awards_and_bids(release)
        supplier = rd.single_supplier(final[0]) if final else None
        if supplier is None:
            return
        valid = set()
        for bid in final[1]:
            bid = rd.as_obj(bid)
            tenderers = bid.get("tenderers")
            if isinstance(tenderers, list) and len(tenderers) == 1:
                tenderer = rd.as_str(rd.as_obj(tenderers[0]).get("id"))
                if tenderer is not None and bid.get("status") == "valid":
                    valid.add(tenderer)
        for tenderer in valid:  # once per process, however many bids
            self.r025[tenderer][0] += tenderer == supplier
            self.r025[tenderer][1] += 1

    def _r028(self, release, ocid: str) -> None:
        if not self._compares_prices(release):
            return
        prices: dict[tuple, frozenset[str]] = {}
        for bid in rd.submitted_bids(release):
            tenderers, priced = bid.get("tenderers"), rd.priced(bid)
            if not isinstance(tenderers, list) or priced is None:
                continue
            ids = frozenset(rd.ids(tenderers))
            if not ids:
                continue
            other = prices.get(priced)
            if other is not None and ids != other:  # one tenderer may repeat its own price
                self.out.set("OCID", ocid, "R028", 1.0)
                for tenderer in ids | other:
                    self.out.set("Tenderer", tenderer, "R028", 1.0)
                    self.out.map("R028", ocid, tenderer)
            prices[priced] = ids

    def _r035(self, release, ocid: str) -> None:
        final = rd.final_awards_and_bids(release)
        if final is None:
            return
        suppliers = {
            i for award in final[0] for i in rd.ids(rd.as_list(rd.as_obj(award).get("suppliers")))
        }
        valid, disqualified = set(), set()
        for bid in final[1]:
            bid = rd.as_obj(bid)
            target = {"valid": valid, "disqualified": disqualified}.get(bid.get("status"))
            if target is not None:
                target.update(rd.ids(rd.as_list(bid.get("tenderers"))))
        others = len(disqualified - valid)
        if len(valid) == 1 and valid == suppliers and others >= max(self.s.r035_threshold, 1):
            (winner,) = valid
            self.out.set("OCID", ocid, "R035", float(others))
            self.out.set("Tenderer", winner, "R035", 0.0)
            self.out.map("R035", ocid, winner)

    def _r036(self, release, ocid: str) -> None:
        awards = release.get("awards")
        if not self._compares_prices(release) or not isinstance(awards, list):
            return
        if not any(rd.as_obj(a).get("status") == "active" for a in awards):
            return
        lowest, lowest_disqualified, has_valid = None, False, False
        for bid in rd.submitted_bids(release):
            priced = rd.priced(bid)
            if priced is None or not self._main_currency(priced[1]):
                continue
            if lowest is None or priced[0] < lowest:
                lowest, lowest_disqualified = priced[0], bid["status"] == "disqualified"
            has_valid = has_valid or bid["status"] == "valid"
        if has_valid and lowest_disqualified:
            self.out.set("OCID", ocid, "R036", 1.0)

    def _r038(self, release, ocid: str) -> None:
        bids = rd.submitted_bids(release)
        if not bids:
            return
        disqualified = 0
        for bid in bids:
            hit = int(bid["status"] == "disqualified")
            disqualified += hit
            for tenderer in rd.ids(rd.as_list(bid.get("tenderers"))):
                self.r038["Tenderer"][tenderer][0] += hit
                self.r038["Tenderer"][tenderer][1] += 1
        buyer = rd.as_str(rd.as_obj(release.get("buyer")).get("id"))
        tender = rd.as_obj(release.get("tender"))
        entity = rd.as_str(rd.as_obj(tender.get("procuringEntity")).get("id"))
        for group, key in (("Buyer", buyer), ("ProcuringEntity", entity)):
            if key is not None:
                self.r038[group][key][0] += disqualified
                self.r038[group][key][1] += len(bids)

    def _finish_r024(self) -> None:
        q1, q3 = quartiles(float(r) for r in self.ratios.values())
        fence = lower_fence(q1, q3)
        self._meta("R024", q1=q1, q3=q3, lower_fence=fence)
        if not (q1 > 0.0 and fence > 0.0):  # most differences zero: nothing is an outlier
            return
        for ocid, ratio in self.ratios.items():
            if float(ratio) <= fence:
                self.out.set("OCID", ocid, "R024", ratio)
                for tenderer in self.pair[ocid]:
                    self.out.set("Tenderer", tenderer, "R024", 0.0)
                    self.out.map("R024", ocid, tenderer)

    def _finish_r058(self) -> None:
        q1, q3 = quartiles(float(r) for r in self.ratios.values())
        fence = upper_fence(q1, q3)
        self._meta("R058", q1=q1, q3=q3, upper_fence=fence)
        if not fence > 0.0:
            return
        for ocid, ratio in self.ratios.items():
            if float(ratio) >= fence:
                self.out.set("OCID", ocid, "R058", ratio)
                self.out.set("Tenderer", self.pair[ocid][0], "R058", 0.0)
                self.out.map("R058", ocid, self.pair[ocid][0])

    def _finish_r025(self) -> None:
        counts = {k: (won, valid, won / valid) for k, (won, valid) in self.r025.items()}
        top = quantile([float(v) for _, v, _ in counts.values()], self.s.r025_percentile / 100)
        q1, q3 = quartiles(r for _, _, r in counts.values())
        fence = lower_fence(q1, q3)
        self._meta("R025", q1=q1, q3=q3, upper_fence=top, lower_fence=fence)
        if not (q1 > 0.0 and fence > 0.0):
            return
        for tenderer, (_, valid, ratio) in counts.items():
            if valid >= top and ratio <= fence:
                self.out.set("Tenderer", tenderer, "R025", ratio)

    def _finish_r038(self) -> None:
        minimum = {
            "Buyer": self.s.r038_minimum_contracting_processes,
            "ProcuringEntity": self.s.r038_minimum_contracting_processes,
            "Tenderer": self.s.r038_minimum_submitted_bids,
        }
        for group, fractions in self.r038.items():
            # Cardinal compares the number of submitted bids with both minimums.
            ratios = {k: n / d for k, (n, d) in fractions.items() if d >= minimum[group]}
            if not ratios:
                continue
            q1, q3 = quartiles(ratios.values())
            fence = upper_fence(q1, q3)
            self._meta("R038", **{f"{group}_q1": q1, f"{group}_q3": q3})
            self._meta("R038", **{f"{group}_upper_fence": fence})
            if fence > 0.0:
                for key, ratio in ratios.items():
                    if ratio >= fence:
                        self.out.set(group, key, "R038", ratio)
