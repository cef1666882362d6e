"""Primary care clinics in the public finder (RULES.md 12): the winning products a community
health centre, township hospital or village clinic buys under a VBP contract in force (its
own, or its county medical community's), at the VBP price a package (zero markup), with the
stock status of its stock on hand in the traceability ledger. Figures by hand:

VBP prices a package (tests/fixtures/pharmacy.py): 阿莫西林 0.5000 x 24 = 12.00,
二甲双胍 0.1000 x 28 = 2.80, 氨氯地平 0.2000 x 28 = 5.60. Stock status: out at 0 or fewer,
low at 1-5 (LOW_STOCK_PACKS = 5), in stock above."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from procurement.auth import services as auth
from procurement.auth.models import User
from procurement.auth.services import actor_of
from procurement.pharmacy import services as pharmacy
from procurement.pharmacy.models import FinderEntry, FinderName
from procurement.pharmacy.services.finder import forget_searches
from procurement.trace.scan_models import StockLine
from procurement.trace.services.stock_ledger import declare_no_code
from tests.fixtures.auth import PASSWORD
from tests.fixtures.pharmacy import contract_for


def _actor(db_session, clock, org):
    user = auth.create_user(
        db_session,
        org_code=org.code,
        username=f"u-{org.code.lower()}",
        password=PASSWORD,
        role="staff",
        now=clock.now(),
    )
    return actor_of(user)


def _world(db_session, clock, vbp, make_clinics):
    """The centre: 阿莫西林 (coded: 10 received, 3 dispensed, 1 returned = 6 on hand) and
    二甲双胍 (4 no-code packages declared); its 氨氯地平 contract ended yesterday. The village
    clinic: 氨氯地平 through its community's contract, nothing on hand. The hospital: 阿莫西林
    with 50 packages on hand (a hospital is not a clinic: never listed)."""
    clinics = make_clinics()
    c = vbp.contracts
    today = clock.now().date()
    contract_for(db_session, c["阿莫西林"], clinics.centre)
    contract_for(db_session, c["二甲双胍"], clinics.centre)
    contract_for(db_session, c["氨氯地平"], clinics.centre, period_end=today - timedelta(days=1))
    contract_for(db_session, c["氨氯地平"], clinics.community)
    contract_for(db_session, c["阿莫西林"], clinics.hospital)
    ledger = {"expiry_date": today + timedelta(days=400), "updated_at": clock.now()}
    db_session.add_all(
        [
            StockLine(
                org_id=clinics.centre.id,
                product_id=c["阿莫西林"].product_id,
                batch_no="B1",
                received=10,
                dispensed=3,
                returned=1,
                **ledger,
            ),
            StockLine(
                org_id=clinics.hospital.id,
                product_id=c["阿莫西林"].product_id,
                batch_no="B1",
                received=50,
                **ledger,
            ),
        ]
    )
    declare_no_code(
        db_session,
        product_id=c["二甲双胍"].product_id,
        batch_no="NC1",
        expiry_date=today + timedelta(days=400),
        quantity=4,
        reason="bought before codes",
        now=clock.now(),
        actor=_actor(db_session, clock, clinics.centre),
    )
    db_session.flush()
    return clinics


def test_clinics_enter_the_finder_at_the_vbp_price_with_their_stock_status(
    db_session, clock, vbp, make_clinics
):
    clinics = _world(db_session, clock, vbp, make_clinics)
    assert pharmacy.refresh_all(db_session, now=clock.now()) == 3  # no pharmacy; 2 + 1 clinic
    rows = {
        (e.store_id, e.generic_name): (e.kind.value, e.price, e.status.value, e.district)
        for e in db_session.query(FinderEntry)
    }
    assert rows == {
        (clinics.centre.id, "阿莫西林"): ("clinic", Decimal("12.00"), "in_stock", "310101"),
        (clinics.centre.id, "二甲双胍"): ("clinic", Decimal("2.80"), "low", "310101"),
        (clinics.village.id, "氨氯地平"): ("clinic", Decimal("5.60"), "out", "310101"),
    }


def test_a_search_lists_pharmacies_and_clinics_stocked_first(
    db_session, clock, vbp, make_clinics, make_chain
):
    clinics = _world(db_session, clock, vbp, make_clinics)
    chain = make_chain(stores=1)
    pharmacy.sign_up(
        db_session,
        tender_id=vbp.tender_id,
        generic_names=["阿莫西林", "二甲双胍", "氨氯地平"],
        now=clock.now(),
        actor=chain.actor,
    )
    store = chain.stores[0].organization
    # the pharmacy sells 氨氯地平 at 6.00 (cap 5.60 x 1.1 = 6.16), has none on hand
    pharmacy.set_price(
        db_session,
        product_id=vbp.contracts["氨氯地平"].product_id,
        price=Decimal("6.00"),
        now=clock.now(),
        actor=chain.store_actor(0),
    )
    pharmacy.refresh_all(db_session, now=clock.now())

    found = pharmacy.search(db_session, q="ald", district="310101")  # 氨氯地平's initials
    assert found.generic_names == ["氨氯地平"]
    places = [(p.kind, p.store_name, p.price, p.status) for p in found.places]
    # both out of stock (rank 2): then by id, the clinic was created first
    assert places == [
        ("clinic", "新桥村卫生室", Decimal("5.60"), "out"),
        ("pharmacy", store.name, Decimal("6.00"), "out"),
    ]
    assert clinics.village.id < store.id

    found = pharmacy.search(db_session, q="阿莫", district="310101")
    assert [(p.kind, p.store_name, p.status) for p in found.places] == [
        ("clinic", "外滩社区卫生服务中心", "in_stock"),  # 6 on hand
        ("pharmacy", store.name, "out"),
    ]
    assert "310101" in pharmacy.districts(db_session)


def test_a_clinic_leaves_the_finder_when_its_contract_ends(db_session, clock, vbp, make_clinics):
    clinics = _world(db_session, clock, vbp, make_clinics)
    pharmacy.refresh_all(db_session, now=clock.now())
    clock.advance(timedelta(days=3 * 366))  # past every contract's period
    assert pharmacy.refresh_all(db_session, now=clock.now()) == 0
    assert db_session.query(FinderEntry).filter_by(store_id=clinics.centre.id).count() == 0


def test_a_cached_answer_lives_until_the_clinics_stock_changes(
    db_session, clock, vbp, make_clinics
):
    _world(db_session, clock, vbp, make_clinics)
    pharmacy.refresh_all(db_session, now=clock.now())
    first = pharmacy.search(db_session, q="ejsg", district="310101", cache_seconds=60)
    assert [p.status for p in first.places] == ["low"]  # 4 on hand
    # within the cache's life the same answer comes back
    assert pharmacy.search(db_session, q="ejsg", district="310101", cache_seconds=60) is first
    declare_no_code(
        db_session,
        product_id=vbp.contracts["二甲双胍"].product_id,
        batch_no="NC2",
        expiry_date=clock.now().date() + timedelta(days=400),
        quantity=6,
        reason="bought before codes",
        now=clock.now(),
        actor=actor_of(db_session.query(User).filter_by(username="u-pcchc").one()),
    )
    # the declaration's commit rewrote the clinic's entries and forgot the cached answer
    fresh = pharmacy.search(db_session, q="ejsg", district="310101", cache_seconds=60)
    assert [p.status for p in fresh.places] == ["in_stock"]  # 4 + 6 = 10


def test_a_patient_types_the_vowel_u_umlaut_as_u_or_v_and_a_refresh_adds_a_missing_key(
    db_session, clock, vbp, make_clinics
):
    _world(db_session, clock, vbp, make_clinics)
    pharmacy.refresh_all(db_session, now=clock.now())
    for typed in ("anludiping", "anlvdiping", "anlüdi"):
        assert pharmacy.search(db_session, q=typed, district="310101").generic_names == [
            "氨氯地平"
        ], typed
    # a database keyed before the u spelling: the nightly refresh adds it back
    db_session.query(FinderName).filter_by(key="anludiping").delete()
    db_session.commit()
    forget_searches()
    assert pharmacy.search(db_session, q="anludiping", district="310101").generic_names == []
    pharmacy.refresh_all(db_session, now=clock.now())
    assert pharmacy.search(db_session, q="anludiping", district="310101").generic_names == [
        "氨氯地平"
    ]
