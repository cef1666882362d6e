"""The public medicine finder (RULES.md 12): its read model and its search.

``finder_names`` holds each generic name's search keys (``keys.py``, built once when a product
is signed up), ``finder_products`` the VBP products, ``finder_entries`` one row per place and
product with only public facts (kind, name, district, address, price, stock status); a place
is a pharmacy store or a primary care clinic (``clinics.py``). The pharmacy services refresh a
store's entries whenever its stock or a price changes; stock recorded by the traceability area
(upstream: it cannot call this area, it marks the session) is brought in as its transaction
commits (``freshness.py``); ``procurement pharmacy refresh-finder`` (nightly) rewrites every
store's and clinic's entries. A search reads the keys by prefix, then the entries by (generic
name, district), one index.

**Cache.** ``search(..., cache_seconds=n)`` keeps each answer in the worker's memory for ``n``
seconds, keyed by (normalized query, district): the API and the page pass the setting
``FINDER_CACHE_SECONDS`` (5 by default, 0 in tests). A write through this area's services
empties the cache of the worker that made it at once; another worker may answer from its copy
for at most ``n`` seconds more, so a public answer is at most ``n`` seconds older than the read
model (itself as fresh as described above)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, select
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.auth.roles import PRIMARY_CARE, InstitutionType
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
from procurement.pharmacy.rules import PlaceKind, stock_status
from procurement.pharmacy.services.common import on_hand

MAX_NAMES = 10  # generic names one search matches
MAX_PLACES = 30  # places one search lists
MAX_CACHED = 20_000  # answers a worker keeps (then it starts afresh)


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
    forget_searches()


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
                kind=PlaceKind.PHARMACY,
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
    forget_searches()
    return count


REFRESH_CHUNK = 500  # stores a refresh rewrites in one transaction


def rekey_names(session: Session) -> int:
    """Add any search key ``keys.search_keys`` now gives a findable generic name that is not
    stored yet (a database keyed before a new spelling was added). Returns the keys added."""
    have = {(k, n) for k, n in session.execute(select(FinderName.key, FinderName.generic_name))}
    added = 0
    for name in session.scalars(select(FinderProduct.generic_name).distinct()):
        for key in search_keys(name):
            if (key[:200], name) not in have:
                session.add(FinderName(key=key[:200], generic_name=name))
                have.add((key[:200], name))
                added += 1
    return added


def refresh_stores(session: Session, *, now: datetime) -> int:
    """Rewrite every enrolled store's finder entries from its stock and prices, a chunk of
    stores a transaction (``clinics.refresh_all`` adds the clinics), after adding missing
    search keys (``rekey_names``). Returns entries written."""
    rekey_names(session)
    session.commit()
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
    kind: str = PlaceKind.PHARMACY.value


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


_answers: dict[tuple[str, str | None], tuple[float, Found]] = {}
_products: dict[str, tuple[float, list[FinderProductRow]]] = {}


def forget_searches() -> None:
    """Empty this worker's cache of answers (after a write to the read model)."""
    _answers.clear()
    _products.clear()


def search(
    session: Session, *, q: str | None, district: str | None, cache_seconds: float = 0
) -> Found:
    """VBP products whose generic name starts with (or whose pinyin or initials start with) the
    query, and the places of the district (pharmacies and clinics) selling them, stocked
    first (no login). ``cache_seconds``: see the module's docstring (the products of a query
    are kept as long, so a missed answer costs one statement, the places).

    The public's hot path: Core statements on the tables (no ORM objects); outside a request
    that already holds a transaction, on an autocommit connection (no BEGIN, no ROLLBACK)."""
    query, district = check_query(q, district)
    if cache_seconds <= 0:
        with _reader(session) as connection:
            return _search(connection, query, district, _fetch_products(connection, query))
    key, clock = (query, district), time.monotonic()
    hit = _answers.get(key)
    if hit is not None and hit[0] > clock:
        return hit[1]
    with _reader(session) as connection:
        known = _products.get(query)
        if known is None or known[0] <= clock:
            known = (clock + cache_seconds, _fetch_products(connection, query))
            _remember(_products, query, known)
        found = _search(connection, query, district, known[1])
    _remember(_answers, key, (clock + cache_seconds, found))
    return found


def _remember(cache: dict[Any, Any], key: object, value: object) -> None:
    if len(cache) >= MAX_CACHED:
        cache.clear()
    cache[key] = value


@contextmanager
def _reader(session: Session) -> Iterator[Connection]:
    """The session's connection when it is in a transaction or bound to a connection (tests),
    else a pooled connection in autocommit: two reads need no transaction of their own."""
    bind = session.get_bind()
    if session.in_transaction() or not isinstance(bind, Engine):
        yield session.connection()
        return
    with bind.connect() as connection:
        yield connection.execution_options(isolation_level="AUTOCOMMIT")


def _fetch_products(connection: Connection, query: str) -> list[FinderProductRow]:
    return [
        FinderProductRow(*row)
        for row in connection.execute(_PRODUCTS, {"prefix": _like_prefix(query)})
    ]


def _search(
    connection: Connection, query: str, district: str | None, products: list[FinderProductRow]
) -> Found:
    generic_names = sorted({p.generic_name for p in products})
    places: list[Place] = []
    if district is not None and generic_names:
        rows = connection.execute(_PLACES, {"names": generic_names, "district": district})
        places = [Place(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]
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
        _ENTRY.c.kind,
    )
    .where(
        _ENTRY.c.generic_name.in_(bindparam("names", expanding=True)),
        _ENTRY.c.district == bindparam("district"),
    )
    .order_by(_ENTRY.c.status_rank, _ENTRY.c.store_id, _ENTRY.c.product_id)
    .limit(MAX_PLACES)
)


def districts(session: Session) -> list[str]:
    """The districts with a pharmacy store or a clinic (for the district list)."""
    return list(
        session.scalars(
            select(Organization.region_code)
            .where(
                Organization.institution_type.in_([InstitutionType.PHARMACY_STORE, *PRIMARY_CARE])
            )
            .distinct()
            .order_by(Organization.region_code)
        )
    )
