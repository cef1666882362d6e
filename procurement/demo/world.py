"""A seeded, province-scale world for the demo: the Jiangsu procurement office and fund,
hospitals in cities and counties, manufacturers with products, a tender with lots and demand.

Everything is created through the services (``procurement.*.services``). Only the demo logins
get users with passwords (hashing is deliberately slow); the other organizations act through
their system integration, an actor without a user.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from procurement.auth import services as auth
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind, Role
from procurement.bidding import services as bidding
from procurement.catalog import services as catalog
from procurement.core.clock import FrozenClock
from procurement.core.money import round_unit_price
from procurement.demo import data
from procurement.demo.data import Drug

CST = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "demo-pass-2025"
TIERS = ("tertiary", "secondary", "primary")
TIER_SIZE = {"tertiary": 1.0, "secondary": 0.22, "primary": 0.045}


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """Beijing office time on ``day``."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier); ``day`` is a first of the month here."""
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


@dataclass(frozen=True)
class Timeline:
    created: datetime
    demand_deadline: datetime
    bidding_opens: datetime
    bid_deadline: datetime
    opening_at: datetime
    contract_start: date


def timeline(contract_start: date) -> Timeline:
    """A tender four months before its contract year: demand in the first month, bids in the
    second, the opening and the award right after (days 8 to 24, clear of the days the running
    contract year orders (3-6), settles (25) and checks (28) on)."""
    demand_month, bid_month = add_months(contract_start, -4), add_months(contract_start, -3)
    return Timeline(
        created=at(demand_month.replace(day=8)),
        demand_deadline=at(demand_month.replace(day=20), 17),
        bidding_opens=at(bid_month.replace(day=8), 10),
        bid_deadline=at(bid_month.replace(day=20), 17),
        opening_at=at(bid_month.replace(day=21), 9, 30),
        contract_start=contract_start,
    )


@dataclass
class Round:
    """One tender of the demo (batch 1 last year, batch 2 this year, batch 3 open for bids)."""

    batch: int
    timeline: Timeline
    drugs: list[Drug]
    tender_id: int = 0
    lots: list[LotInfo] = field(default_factory=list)
    demand: dict[str, int] = field(default_factory=dict)  # lot code -> confirmed units
    brand_reporting: bool = False  # hospitals may name products (RULES.md 10)
    plan: dict[str, list[Org]] | None = None  # bidders per lot, drawn early for brand reports
    early_products: int = 0  # registered before demand opened (for brand reports)

    @property
    def code(self) -> str:
        return f"JS-{self.timeline.created.year}-YP{self.batch:02d}"


@dataclass
class Org:
    id: int
    code: str
    name: str
    region_code: str
    actor: Actor
    tier: str = ""  # hospitals: tertiary | secondary | primary
    profile: str = "normal"  # hospitals: normal | lagging | idle; makers: normal | failing | barred


@dataclass
class LotInfo:
    id: int
    code: str
    drug: Drug


@dataclass
class Login:
    role: str
    username: str
    password: str
    organization: str


@dataclass
class World:
    seed: int
    scale: float
    clock: FrozenClock
    regulator: Org
    fund: Org
    hospitals: list[Org]
    makers: list[Org]
    products: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # (maker, lot id)
    approvals: set[str] = field(default_factory=set)  # approval numbers handed out
    logins: list[Login] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)  # last year's, this year's, the next
    counts: dict[str, int] = field(default_factory=dict)
    distributor: Org | None = None  # appointed by the first manufacturer for its lots
    community: Any = None  # demo.community.Community: a county medical community's members
    appointed: set[int] = field(default_factory=set)  # lot ids
    # The month (YYYY-MM) of the one shortage report the demo leaves unfiled, so the regulator
    # sees a missing report alert (demo/shortage.py).
    shortage_gap: str | None = None

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def maker(self, code: str) -> Org:
        return next(m for m in self.makers if m.code == code)

    def shipper(self, maker: Org, lots: set[int]) -> Actor:
        """Who confirms and ships an order: the distributor appointed for its lots, if any."""
        if self.distributor is not None and maker is self.makers[0] and lots <= self.appointed:
            return self.distributor.actor
        return maker.actor


def system_actor(org, kind: OrgKind) -> Actor:
    """The organization's system integration: staff rights, no user."""
    return Actor(None, org.id, kind, Role.STAFF, org.region_code, f"{org.code.lower()}-system")  # type: ignore[arg-type]


def _org(session: Session, world_now: datetime, code: str, name: str, kind: OrgKind, region: str):
    org = auth.create_org(
        session, code=code, name=name, kind=kind.value, region_code=region, now=world_now
    )
    return Org(org.id, org.code, org.name, org.region_code, system_actor(org, kind))


def _areas(scale: float) -> list[data.Area]:
    cities = data.CITIES[: max(2, math.ceil(len(data.CITIES) * min(scale, 1.0)))]
    out = []
    for city_code, city, parts in cities:
        keep = parts if scale >= 0.5 else parts[:2]
        out += [data.Area(city_code, city, city, False)]
        out += [data.Area(code, name, city, int(code[4:]) > 20) for code, name in keep]
    return out


def hospital_specs(rng: random.Random, scale: float) -> list[tuple[str, str, str]]:
    """(name, tier, region code) of every hospital: city hospitals, district and county
    hospitals, community health centres and township health centres."""
    per_area = max(1, round(2 * scale))
    specs: list[tuple[str, str, str]] = []
    for area in _areas(scale):
        if area.code.endswith("00"):
            first = data.CENTRAL_DISTRICT[area.code]
            specs += [
                (f"{area.city}市第一人民医院", "tertiary", first),
                (f"{area.city}市中医院", "tertiary", first),
                (f"{area.city}市第二人民医院", "secondary", first),
                (f"{area.city}市妇幼保健院", "secondary", first),
            ]
            continue
        label = area.name if area.county else f"{area.city}市{area.name}"
        specs.append((f"{label}人民医院", "secondary", area.code))
        if area.county:
            specs.append((f"{label}中医院", "secondary", area.code))
        towns = rng.sample(data.TOWNS, min(per_area, len(data.TOWNS)))
        kind = "镇卫生院" if area.county else "社区卫生服务中心"
        specs += [(f"{label}{town}{kind}", "primary", area.code) for town in towns]
    return specs


def maker_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    brands = list(data.BRANDS)
    rng.shuffle(brands)
    for i in range(count):
        brand = brands[i] if i < len(brands) else brands[i % len(brands)] + "生物"
        names.append(rng.choice(data.PLACES) + brand + rng.choice(data.SUFFIXES))
    return names


def build_people(session: Session, world: World, rng: random.Random) -> None:
    """Hospitals and manufacturers (the regulator and fund exist already)."""
    now = world.now
    for i, (name, tier, region) in enumerate(hospital_specs(rng, world.scale), start=1):
        org = _org(session, now, f"H{i:04d}", name, OrgKind.HOSPITAL, region)
        org.tier = tier
        world.hospitals.append(org)
    count = max(6, round(44 * world.scale))
    names = [*maker_names(rng, count - 1), data.ORIGINATORS[0]]
    for i, name in enumerate(names, start=1):
        region = "320100" if i % 3 else "330100"
        world.makers.append(_org(session, now, f"M{i:03d}", name, OrgKind.MANUFACTURER, region))
    world.distributor = _org(session, now, "D001", data.DISTRIBUTOR, OrgKind.DISTRIBUTOR, "320100")
    _assign_profiles(world, rng)


def _assign_profiles(world: World, rng: random.Random) -> None:
    lagging = [h for h in world.hospitals if h.tier != "tertiary"]
    for h in rng.sample(lagging, max(1, len(lagging) // 8)):
        h.profile = "lagging"
    quiet = [h for h in world.hospitals if h.profile == "normal" and h.tier == "primary"]
    for h in rng.sample(quiet, max(1, len(quiet) // 25)):
        h.profile = "idle"
    world.makers[-2].profile = "barred"
    world.makers[1].profile = "failing"


def build_logins(session: Session, world: World) -> None:
    """Users with passwords for one organization of each role (printed at the end)."""
    tertiary = next(h for h in world.hospitals if h.tier == "tertiary")
    lagging = next(h for h in world.hospitals if h.profile == "lagging")
    picks = [  # the header shows a person's name and job beside the organization
        ("regulator", "regulator", world.regulator, Role.ADMIN, "王芳（集采办）"),
        ("fund", "fund", world.fund, Role.ADMIN, "李强（基金结算科）"),
        ("hospital", "hospital", tertiary, Role.ADMIN, "张敏（药学部）"),
        ("hospital (lagging)", "hospital2", lagging, Role.STAFF, "刘洋（药剂科）"),
        ("manufacturer", "maker", world.makers[0], Role.ADMIN, "陈静（招投标）"),
        ("manufacturer (failing)", "maker2", world.makers[1], Role.STAFF, "赵磊（销售部）"),
        ("distributor", "distributor", world.distributor, Role.STAFF, "周杰（配送部）"),
    ]
    for label, username, org, role, person in picks:
        user = auth.create_user(
            session,
            org_code=org.code,
            username=username,
            password=DEMO_PASSWORD,
            role=role.value,
            display_name=person,
            now=world.now,
        )
        org.actor = auth.actor_of(user)
        world.logins.append(Login(label, username, DEMO_PASSWORD, org.name))


BATCH_NAMES = {1: "第一批", 2: "第二批", 3: "第三批"}


def pharmacy_rules(rnd: Round) -> dict[str, int]:
    """Pharmacy minimums (RULES.md 12) scaled to the round's few names: a half, a third."""
    names = len({d.generic_name for d in rnd.drugs})
    return {
        "min_generic_names_chain": max(1, names // 2),
        "min_generic_names_store": max(1, names // 3),
    }


def create_tender(session: Session, world: World, rnd: Round) -> None:
    """The round's tender (single sourcing per hospital, above-ceiling quotes accepted and judged
    at opening, as national practice) with its lots, created at the start of its timeline."""
    t = rnd.timeline
    world.clock.set(t.created)
    year = t.created.year
    tender = catalog.create_tender(
        session,
        data={
            "code": rnd.code,
            "name": f"江苏省{BATCH_NAMES[rnd.batch]}药品集中带量采购（{year}）",
            "category": "drug",
            "region_scope": ["320000"],
            "demand_deadline": t.demand_deadline,
            "bid_deadline": t.bid_deadline,
            "opening_at": t.opening_at,
            "contract_start": t.contract_start,
            "contract_years": 1,
            "rules_preset": "national-2024",
            "rules_overrides": {
                "granularity": "single",
                "accept_above_ceiling": True,
                **({"brand_reporting": True} if rnd.brand_reporting else {}),
                # last year's deliveries are paid after the monthly reconciliation (对账)
                **({"settlement.reconciliation": True} if rnd.batch == 1 else {}),
                "pharmacy": pharmacy_rules(rnd),
            },
        },
        now=world.now,
        actor=world.regulator.actor,
    )
    rnd.tender_id = tender.id
    for i, drug in enumerate(rnd.drugs, start=1):
        lot = catalog.add_lot(
            session,
            tender_id=tender.id,
            now=world.now,
            actor=world.regulator.actor,
            data={
                "code": f"L{i:02d}",
                "generic_name": drug.generic_name,
                "dosage_form": drug.dosage_form,
                "dosage_class": drug.dosage_class,
                "reference_strength": drug.strength,
                "strength_unit": drug.strength_unit,
                "smallest_unit": drug.smallest_unit,
                "ceiling_unit_price": drug.ceiling,
                "reference_unit_price": drug.reference,
                "antimicrobial_restricted": drug.restricted,
            },
        )
        rnd.lots.append(LotInfo(lot.id, lot.code, drug))


def hospital_demand(rng: random.Random, hospital: Org, lot: LotInfo) -> int | None:
    """Yearly units a hospital reports for a lot (None: it does not use the drug)."""
    drug = lot.drug
    if hospital.tier == "primary" and (not drug.common or drug.dosage_class == "injection"):
        return None
    if hospital.tier != "tertiary" and rng.random() < (
        0.45 if hospital.tier == "secondary" else 0.8
    ):
        return None
    units = drug.yearly_units * TIER_SIZE[hospital.tier] * rng.lognormvariate(0, 0.35)
    return max(100, int(round(units, -2)))


def report_demand(
    session: Session, world: World, rnd: Round, rng: random.Random, brands=None
) -> int:
    """Every hospital reports its yearly demand (naming products where ``brands(hospital, lot,
    units)`` says so); the regulator confirms it after the deadline. Returns the lines."""
    catalog.open_demand(
        session, tender_id=rnd.tender_id, now=world.now, actor=world.regulator.actor
    )
    rows = 0
    for hospital in world.hospitals:
        lines = []
        for lot in rnd.lots:
            units = hospital_demand(rng, hospital, lot)
            if units is not None:
                usage = int(units * rng.uniform(0.85, 1.1))
                line = {"lot_code": lot.code, "quantity": units, "last_year_usage": usage}
                if brands is not None:
                    line["brand_lines"] = brands(hospital, lot, units)
                lines.append(line)
        if lines:
            catalog.submit_demand(
                session, tender_id=rnd.tender_id, lines=lines, now=world.now, actor=hospital.actor
            )
            rows += len(lines)
    if world.community is not None:  # it reports for its members (RULES.md 12)
        rows += world.community.report_demand(session, world, rnd)
    world.clock.set(rnd.timeline.demand_deadline)
    world.clock.advance(hours=16)
    totals = catalog.confirm_demand(
        session, tender_id=rnd.tender_id, now=world.now, actor=world.regulator.actor
    )
    rnd.demand = {t.lot_code: t.confirmed_quantity or 0 for t in totals.lots}
    return rows


def bar_one_maker(session: Session, world: World, until: datetime) -> None:
    """A manufacturer barred by an earlier credit rating (its bids will be refused)."""
    barred = next(m for m in world.makers if m.profile == "barred")
    bidding.create_ban(
        session,
        data={
            "manufacturer_id": barred.id,
            "level": "seriously_dishonest",
            "reason": "往年集采中选后断供，列入违规名单",
            "until": until,
        },
        now=world.now,
        actor=world.regulator.actor,
    )


def build_world(session: Session, *, seed: int, scale: float, clock: FrozenClock) -> World:
    """Organizations and logins, at the clock's time (the first round's start)."""
    rng = random.Random(seed)
    now = clock.now()
    regulator = _org(session, now, *data.REGULATOR[:2], OrgKind.REGULATOR, data.REGULATOR[2])
    fund = _org(session, now, *data.FUND[:2], OrgKind.FUND, data.FUND[2])
    world = World(seed, scale, clock, regulator, fund, [], [])
    build_people(session, world, rng)
    build_logins(session, world)
    world.counts.update(hospitals=len(world.hospitals), manufacturers=len(world.makers))
    return world


def unit_price(price_per_pack: Decimal, pack: int) -> Decimal:
    return round_unit_price(price_per_pack / pack)
