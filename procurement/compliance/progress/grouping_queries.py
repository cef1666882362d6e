"""The raw sums of progress per group: every grouping of the contracts in one statement
(PostgreSQL: GROUPING SETS; elsewhere a UNION ALL of GROUP BYs), and the accepted quantity per
lot and contract price for the savings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import String, cast, func, literal, select, tuple_, union_all
from sqlalchemy.orm import Session


class LotPrice(NamedTuple):
    """The accepted quantity of a lot at one contract price (for the savings)."""

    lot_id: int
    unit_price: Any
    accepted: int


def _dim(cte, group: str):
    return {
        "total": literal(0),
        "tender": cte.c.tender_id,
        "lot": cte.c.lot_id,
        "region": cte.c.region_code,
        "hospital": cte.c.hospital_id,
        "manufacturer": cte.c.manufacturer_id,
        "contract": cte.c.id,
        "hospital_lot": cast(cte.c.hospital_id, String(20)) + ":" + cast(cte.c.lot_id, String(20)),
    }[group]


def _aggregate(cte, group: str):
    key = _dim(cte, group)
    query = select(
        literal(group).label("grp"),
        cast(key, String(40)).label("key"),
        func.sum(cte.c.agreed).label("agreed"),
        func.sum(cte.c.accepted).label("accepted"),
        func.count().label("contracts"),
        func.sum(cte.c.behind).label("behind"),
        func.sum(cte.c.at_risk).label("at_risk"),
        func.sum(cte.c.zero).label("zero"),
    )
    return query if group == "total" else query.group_by(key)


@dataclass(frozen=True)
class _Grouped:
    grp: str
    key: Any
    agreed: Any
    accepted: Any
    contracts: Any
    behind: Any
    at_risk: Any
    zero: Any
    saving: Any


def _grouping_sets(session: Session, cte, groups: tuple[str, ...]):
    """PostgreSQL: every grouping in one pass over the contracts (GROUPING SETS); a row's
    grouping is the one key column that is set (none: the total)."""
    dims = {g: _dim(cte, g) for g in groups if g != "total"}
    keys = [cast(expr, String(40)).label(f"k_{g}") for g, expr in dims.items()]
    sets = [tuple_(expr) for expr in dims.values()]
    if "total" in groups:
        sets.insert(0, tuple_())
    sets.append(tuple_(cte.c.lot_id, cte.c.unit_price))  # for the savings
    query = select(
        *keys,
        cte.c.lot_id.label("p_lot"),
        cte.c.unit_price.label("p_price"),
        func.sum(cte.c.agreed).label("agreed"),
        func.sum(cte.c.accepted).label("accepted"),
        func.count().label("contracts"),
        func.sum(cte.c.behind).label("behind"),
        func.sum(cte.c.at_risk).label("at_risk"),
        func.sum(cte.c.zero).label("zero"),
    ).group_by(func.grouping_sets(*sets))
    out, prices = [], []
    for row in session.execute(query):
        if row.p_price is not None:
            prices.append(LotPrice(row.p_lot, row.p_price, row.accepted))
            continue
        found = [(g, getattr(row, f"k_{g}")) for g in dims if getattr(row, f"k_{g}") is not None]
        grp, key = found[0] if found else ("total", "0")
        out.append(
            _Grouped(
                grp=grp,
                key=key,
                agreed=row.agreed,
                accepted=row.accepted,
                contracts=row.contracts,
                behind=row.behind,
                at_risk=row.at_risk,
                zero=row.zero,
                saving=0,
            )
        )
    return out, prices


def grouped(session: Session, cte, groups: tuple[str, ...]):
    """The raw sums of every group (rows with grp, key, agreed, accepted, contracts, behind,
    at_risk, zero) and, on PostgreSQL, the accepted sums per lot and price (else None)."""
    if session.get_bind().dialect.name == "postgresql" and len(groups) > 1:
        return _grouping_sets(session, cte, groups)
    parts = [_aggregate(cte, g) for g in groups]
    return list(session.execute(parts[0] if len(parts) == 1 else union_all(*parts))), None


def lot_prices(session: Session, cte) -> list[LotPrice]:
    """(lot, contract price, accepted) of the selection, for the savings."""
    query = select(cte.c.lot_id, cte.c.unit_price, func.sum(cte.c.accepted)).group_by(
        cte.c.lot_id, cte.c.unit_price
    )
    return [LotPrice(*row) for row in session.execute(query)]
