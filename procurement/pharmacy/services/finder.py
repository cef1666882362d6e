"""The public medicine finder (RULES.md 12): its read model and its search.

``finder_names`` holds each generic name's search keys (``keys.py``, built once when a product
is signed up), ``finder_products`` the signed-up VBP products, ``finder_entries`` one row per
store and product with only public facts (name, district, address, price, stock status). The
pharmacy services refresh a store's entries whenever its stock or a price changes; receipts
recorded by the traceability area (upstream: it cannot call this area) reach the finder when a
pharmacy opens its stock page or when ``procurement pharmacy refresh-finder`` runs (nightly).
A search reads the keys by prefix, then the entries by (generic name, district), one index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.auth.roles import InstitutionType
from procurement.catalog.models import Product
from procurement.core.messages import N_, Message
from procurement.pharmacy.errors import FinderQueryNotValid
from procurement.pharmacy.keys import MAX_QUERY, normalize, search_keys
from procurement.pharmacy.models import (
    RANK,
    FinderEntry,
    FinderName,
    FinderProduct,
    PharmacyProduct,
)
from procurement.pharmacy.rules import stock_status
from procurement.pharmacy.services.common import on_hand

MAX_NAMES = 10  # generic names one search matches
MAX_PLACES = 30  # stores one search lists


def specification(product: Product) -> str:
    """e.g. "0.25 g × 24 (胶囊剂)": strength, units a package and dosage form as printed."""
    strength = f"{product.strength.normalize():f}"
    return f"{strength} {product.strength_unit} × {product.pack_size} ({product.dosage_form})"


def publish_products(session: Session, *, products) -> None:
    """Make signed-up products and their generic names' search keys findable."""
    for p in products:
        if session.get(FinderProduct, p.product.id) is None:
            session.add(
                FinderProduct(
                    product_id=p.product.id,
                    generic_name=p.generic_name,
                    manufacturer=p.manufacturer,
                    specification=specification(p.product)[:200],
                    vbp_pack_price=p.vbp_pack_price,
                )
            )
        for key in search_keys(p.generic_name):
            if session.get(FinderName, (key[:200], p.generic_name)) is None:
                session.add(FinderName(key=key[:200], generic_name=p.generic_name))
        session.flush()


def refresh_entries(session: Session, *, store_ids: list[int], now: datetime) -> int:
    """Rewrite the finder entries of these stores from their signed-up products, prices and
    stock on hand (in the caller's transaction). Returns the entries written."""
    if not store_ids:
        return 0
    stock = on_hand(session, store_ids)
    stores = {
        o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(store_ids)))
    }
    session.execute(delete(FinderEntry).where(FinderEntry.store_id.in_(store_ids)))
    count = 0
    for pp in session.scalars(
        select(PharmacyProduct).where(PharmacyProduct.store_id.in_(store_ids))
    ):
        store = stores[pp.store_id]
        status = stock_status(stock.get((pp.store_id, pp.product_id), 0))
        session.add(
            FinderEntry(
                store_id=pp.store_id,
                product_id=pp.product_id,
                generic_name=pp.generic_name,
                district=store.region_code,
                store_name=store.name[:200],
                store_address=store.address,
                price=pp.price if pp.price is not None else pp.vbp_pack_price,
                status=status,
                status_rank=RANK[status],
                updated_at=now,
            )
        )
        count += 1
    session.flush()
    return count


REFRESH_CHUNK = 500  # stores a refresh rewrites in one transaction


def refresh_all(session: Session, *, now: datetime) -> int:
    """Rewrite every enrolled store's finder entries from its stock and prices, a chunk of
    stores a transaction. Returns the entries written."""
    store_ids = list(
        session.scalars(
            select(PharmacyProduct.store_id).distinct().order_by(PharmacyProduct.store_id)
        )
    )
    written = 0
    for i in range(0, len(store_ids), REFRESH_CHUNK):
        written += refresh_entries(session, store_ids=store_ids[i : i + REFRESH_CHUNK], now=now)
        session.commit()
    return written


@dataclass(frozen=True)
class Place:
    store_name: str
    address: str | None
    district: str
    product_id: int
    price: Decimal
    status: str


@dataclass(frozen=True)
class Found:
    query: str
    district: str | None
    generic_names: list[str]
    products: list[FinderProductRow]
    places: list[Place]


def check_query(text: str | None, district: str | None) -> tuple[str, str | None]:
    """The normalized query and district, or FinderQueryNotValid with each field's error."""
    query = normalize(text or "")
    errors: dict[str, list] = {}
    if not query:
        errors["q"] = [N_("type a generic name, in characters or pinyin")]
    elif len(query) > MAX_QUERY:
        errors["q"] = [Message("at most {n} characters (MAX_QUERY)", n=MAX_QUERY)]
    district = (district or "").strip() or None
    if district is not None and not (len(district) == 6 and district.isdigit()):
        errors["district"] = [N_("a six-digit district code")]
    if errors:
        raise FinderQueryNotValid(errors=errors)
    return query, district


def search(session: Session, *, q: str | None, district: str | None) -> Found:
    """VBP products whose generic name starts with (or whose pinyin or initials start with) the
    query, and the stores of the district selling them, stocked first (no login).

    The public's hot path: Core statements on the tables (no ORM objects), two round trips."""
    query, district = check_query(q, district)
    connection = session.connection()
    products = [
        FinderProductRow(*row)
        for row in connection.execute(_PRODUCTS, {"prefix": _like_prefix(query)})
    ]
    generic_names = sorted({p.generic_name for p in products})
    places: list[Place] = []
    if district is not None and generic_names:
        rows = connection.execute(_PLACES, {"names": generic_names, "district": district})
        places = [Place(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
    return Found(query, district, generic_names, products, places)


@dataclass(frozen=True)
class FinderProductRow:
    product_id: int
    generic_name: str
    manufacturer: str
    specification: str
    vbp_pack_price: Decimal


def _like_prefix(query: str) -> str:
    """A LIKE pattern matching what starts with ``query`` (normalized text has no wildcards)."""
    return query + "%"


_NAMES = FinderName.__table__
_PRODUCT = FinderProduct.__table__
_ENTRY = FinderEntry.__table__
_MATCHED = (
    select(_NAMES.c.generic_name)
    .where(_NAMES.c.key.like(bindparam("prefix")))
    .distinct()
    .order_by(_NAMES.c.generic_name)
    .limit(MAX_NAMES)
    .scalar_subquery()
)
_PRODUCTS = (
    select(
        _PRODUCT.c.product_id,
        _PRODUCT.c.generic_name,
        _PRODUCT.c.manufacturer,
        _PRODUCT.c.specification,
        _PRODUCT.c.vbp_pack_price,
    )
    .where(_PRODUCT.c.generic_name.in_(_MATCHED))
    .order_by(_PRODUCT.c.generic_name, _PRODUCT.c.vbp_pack_price, _PRODUCT.c.product_id)
)
_PLACES = (
    select(
        _ENTRY.c.store_name,
        _ENTRY.c.store_address,
        _ENTRY.c.district,
        _ENTRY.c.product_id,
        _ENTRY.c.price,
        _ENTRY.c.status,
    )
    .where(
        _ENTRY.c.generic_name.in_(bindparam("names", expanding=True)),
        _ENTRY.c.district == bindparam("district"),
    )
    .order_by(_ENTRY.c.status_rank, _ENTRY.c.store_id, _ENTRY.c.product_id)
    .limit(MAX_PLACES)
)


def districts(session: Session) -> list[str]:
    """The districts with a store in the finder (for the district list)."""
    return list(
        session.scalars(
            select(Organization.region_code)
            .where(Organization.institution_type == InstitutionType.PHARMACY_STORE)
            .distinct()
            .order_by(Organization.region_code)
        )
    )
