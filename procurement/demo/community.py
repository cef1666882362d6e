"""The demo's county medical community (县域医共体, RULES.md 12): 沛县's community with a
township hospital and three village clinics. The community reports demand for its members,
orders and receives for them (the member stays the buyer: its contracts, its progress, its
year-end), and the fund settles with the community ("five unifications"). Logins: `community`
(the community's pharmacy centre) and `clinic` (a village clinic that sees its own orders).

The members are not in ``World.hospitals``: the year's walk orders for them here, once a month
on the 7th (after the hospitals' days 3-6), with its own random numbers left untouched."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from procurement.auth import services as auth
from procurement.auth.models import Role
from procurement.catalog import services as catalog
from procurement.demo.world import DEMO_PASSWORD, Login, Org, Round, World, add_months
from procurement.demo.year_records import Placed
from procurement.orders import services as orders

COUNTY = "320322"  # 沛县, Xuzhou
COMMUNITY = (
    "YGT-PX",
    "沛县县域医共体（沛县人民医院牵头）",
    "江苏省徐州市沛县汉源大道 1 号药事中心",
)
MEMBERS = (  # code, name, institution type, delivery address
    ("YGT-PX-TH1", "沛县龙固镇中心卫生院", "township_hospital", "沛县龙固镇人民路 18 号药房"),
    ("YGT-PX-VC1", "龙固镇刘楼村卫生室", "village_clinic", "沛县龙固镇刘楼村村委会东侧"),
    ("YGT-PX-VC2", "龙固镇张庄村卫生室", "village_clinic", "沛县龙固镇张庄村三组 12 号"),
    ("YGT-PX-VC3", "龙固镇杨屯村卫生室", "village_clinic", "沛县龙固镇杨屯村卫生服务站"),
)
SIZE = {"township_hospital": 0.03, "village_clinic": 0.006}  # of a city hospital's yearly use


@dataclass
class Community:
    org: Org  # its actor: the `community` login's (it acts for its members)
    members: list[Org]  # each with the community's actor; ``profile`` is its institution type
    orders: int = 0
    receipts: int = 0
    demand_lines: int = 0
    rounds: set[int] = field(default_factory=set)  # tender ids it reported demand for

    def report_demand(self, session: Session, world: World, rnd: Round) -> int:
        """The community reports each member's yearly demand for the common oral drugs (what
        primary care uses); called while the round's demand is open."""
        rows = 0
        for member in self.members:
            lines = [
                {
                    "lot_code": lot.code,
                    "quantity": units,
                    "last_year_usage": int(units * 0.95),
                }
                for lot in rnd.lots
                if lot.drug.common and lot.drug.dosage_class != "injection"
                for units in [
                    max(100, int(round(lot.drug.yearly_units * SIZE[member.profile], -2)))
                ]
            ]
            if lines:
                catalog.submit_demand(
                    session,
                    tender_id=rnd.tender_id,
                    lines=lines,
                    now=world.now,
                    actor=self.org.actor,
                    buyer_id=member.id,
                )
                rows += len(lines)
        self.demand_lines += rows
        self.rounds.add(rnd.tender_id)
        return rows

    def month(self, year, month: int) -> int:
        """The 7th: a month's pace of each member's contracts ordered by the community (to the
        member's address), confirmed and shipped by the supplier, received by the community."""
        if year.round.tender_id not in self.rounds:
            return 0
        day = add_months(year.round.timeline.contract_start, month - 1).replace(day=7)
        year.at(day, 9)
        placed = []
        for member in self.members:
            for maker_id, lines in sorted(year.by_hospital[member.id].items()):
                wanted = [
                    orders.LineRequest(
                        packs=max(1, math.ceil(line.agreed / 12 / line.pack)),
                        contract_id=line.contract_id,
                    )
                    for line in lines
                ]
                result = orders.place_order(
                    year.session,
                    request=orders.OrderRequest(lines=wanted, buyer_id=member.id),
                    now=year.world.now,
                    actor=self.org.actor,
                )
                lots = {line.lot_id for line in lines}
                placed.append(Placed(result.order_id, member, year.orgs[maker_id], lots=lots))
                year.world.clock.advance(seconds=7)
        year.at(day, 11)
        year._confirm(placed)
        year.at(day, 14)
        year._ship(placed)
        year.at(day, 17)
        year._receive(placed)  # by the members' actor: the community's
        self.orders += len(placed)
        self.receipts += len(placed)
        return len(placed)


def build_community(session: Session, world: World) -> Community:
    """The community, its members with their addresses, and its two logins."""
    now = world.now
    code, name, address = COMMUNITY
    org = auth.create_org(
        session,
        code=code,
        name=name,
        kind="hospital",
        region_code=COUNTY,
        now=now,
        institution_type="medical_community",
        address=address,
    )
    members = []
    for member_code, member_name, kind, member_address in MEMBERS:
        member = auth.create_org(
            session,
            code=member_code,
            name=member_name,
            kind="hospital",
            region_code=COUNTY,
            now=now,
            institution_type=kind,
            parent_code=code,
            address=member_address,
        )
        members.append(Org(member.id, member.code, member.name, COUNTY, None, "primary", kind))  # type: ignore[arg-type]
    users = {}
    for username, org_code, role, person in (
        ("community", code, Role.ADMIN, "孙丽（医共体药事中心）"),
        ("clinic", MEMBERS[1][0], Role.STAFF, "王建国（乡村医生）"),
    ):
        users[username] = auth.create_user(
            session,
            org_code=org_code,
            username=username,
            password=DEMO_PASSWORD,
            role=role.value,
            display_name=person,
            now=now,
        )
    actor = auth.actor_of(users["community"])  # its member ids read now
    for member in members:
        member.actor = actor
    world.logins += [
        Login("medical community (医共体)", "community", DEMO_PASSWORD, name),
        Login("village clinic (its member)", "clinic", DEMO_PASSWORD, MEMBERS[1][1]),
    ]
    return Community(Org(org.id, org.code, org.name, COUNTY, actor), members)
