"""The OCDS change feed (GET /api/v1/ocds/releases) over a tender walked through the real
services: draft, demand, bidding with sealed bids, opening, award, contracts in force, a
delivery and the fund's payment. Every package the feed serves is validated by libcoveocds,
offline (tests/ocds_validator.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from procurement.auth.services import actor_of
from procurement.award import services as award
from procurement.compliance.ocds_feed import BID_EXTENSION, FEED_SETTLE
from procurement.contracts import services as contracts
from procurement.contracts.models import Contract
from procurement.orders import services as orders
from procurement.settlement.services import accrue_payables, start_run
from tests.fixtures.compliance import ship_and_receive
from tests.ocds_validator import validate

FEED = "/api/v1/ocds/releases"
BASE = "http://127.0.0.1:5000"  # config/default.toml's PUBLIC_BASE_URL


def settle(clock):
    clock.advance(FEED_SETTLE + timedelta(seconds=1))


def read_all(client, url=f"{FEED}?limit=3"):
    """Every page from ``url`` on, following links.next to the 204 that ends it:
    (packages, raw texts)."""
    packages, texts = [], []
    while url:
        reply = client.get(url)
        if reply.status_code == 204:
            assert reply.get_data() == b""
            break
        assert reply.status_code == 200, reply.get_json()
        texts.append(reply.get_data(as_text=True))
        packages.append(json.loads(texts[-1], parse_float=Decimal))
        url = packages[-1].get("links", {}).get("next", "").removeprefix(BASE)
    return packages, texts


def releases_of(packages, tender):
    return [r for p in packages for r in p["releases"] if f"-{tender.code}-" in r["ocid"]]


def assert_valid(text):
    report = validate(text)
    assert report["validation_errors"] == []
    assert report["additional_closed_codelist_values"] == {}
    assert report["extensions"]["invalid_extensions"] == []
    assert [e["url"] for e in report["extensions"]["extensions"]] == [BID_EXTENSION]


def assert_every_page_valid(client):
    packages, texts = read_all(client)
    for text in texts:
        assert_valid(text)
    return packages


@pytest.fixture
def walk(award_setup, db_session, clock, client, make_actor):
    """award_setup's tender, opened (its feed read with the bids still sealed, in
    ``seen``), with ``award()``, ``in_force()`` and ``pay()`` (H1 orders 2 packs of 28 at
    A's 0.2000 and the fund pays them: 11.20) to walk it on; each step ends settled."""
    seen = {}

    def before_opening(setup):
        settle(clock)
        seen["sealed"] = read_all(client)
        seen["bids"] = list(setup.bids.values())

    setup = award_setup(before_opening=before_opening)
    settle(clock)
    reg = setup.actor

    def award_it(settled=True):
        run = award.start_award_run(
            db_session, tender_id=setup.tender.id, now=clock.now(), actor=reg
        )
        contracts.confirm_award_run(db_session, run_id=run.id, now=clock.now(), actor=reg)
        if settled:
            settle(clock)

    def in_force():
        contracts.put_in_force(db_session, tender_id=setup.tender.id, now=clock.now(), actor=reg)
        settle(clock)

    def pay():
        clock.advance(days=3)  # into the contract year
        h1 = actor_of(setup.hospitals["H1"])
        contract = db_session.scalars(
            select(Contract).where(
                Contract.tender_id == setup.tender.id,
                Contract.hospital_id == h1.org_id,
                Contract.contract_year == 1,
            )
        ).one()
        line = orders.LineRequest(packs=2, contract_id=contract.id)
        placed = orders.place_order(
            db_session, request=orders.OrderRequest(lines=[line]), now=clock.now(), actor=h1
        )
        winner = next(
            u for u in setup.bidders.values() if u.organization.id == contract.manufacturer_id
        )
        world = SimpleNamespace(m=actor_of(winner))
        ship_and_receive(db_session, clock, world, placed.order_id, h1)
        fund = make_actor("fund", region_code="310000")
        accrue_payables(db_session, now=clock.now(), actor=fund)
        start_run(
            db_session,
            cut_off=clock.now().date(),
            idempotency_key="feed",
            now=clock.now(),
            actor=fund,
        )
        settle(clock)
        return contract

    return SimpleNamespace(
        setup=setup, tender=setup.tender, seen=seen, award=award_it, in_force=in_force, pay=pay
    )


def ids(packages, tender):
    return [r["id"].split(f"-{tender.code}-")[1] for r in releases_of(packages, tender)]


def test_every_page_the_feed_serves_validates_at_every_stage_of_a_tender(
    walk, client, make_tender, clock
):
    draft = make_tender("draft")
    settle(clock)
    packages, texts = walk.seen["sealed"]
    for text in texts:
        assert_valid(text)
    before = ["L01-demand_open", "L02-demand_open", "L01-bidding_open", "L02-bidding_open"]
    assert ids(packages, walk.tender) == before
    opened = [*before, "L01-bidding_closed", "L02-bidding_closed", "L01-opened", "L02-opened"]
    assert ids(assert_every_page_valid(client), walk.tender) == opened
    walk.award()
    awarded = [*opened, "L01-awarded", "L02-awarded"]
    assert ids(assert_every_page_valid(client), walk.tender) == awarded
    walk.in_force()
    in_force = [*awarded, "L01-in_force", "L02-in_force"]
    assert ids(assert_every_page_valid(client), walk.tender) == in_force
    walk.pay()
    packages = assert_every_page_valid(client)
    assert ids(packages, walk.tender)[:-1] == in_force
    assert ids(packages, walk.tender)[-1].startswith("L01-payment-")
    assert releases_of(packages, draft) == []  # a draft is never published


def test_the_releases_carry_bids_awards_contracts_and_the_payment(walk, client):
    walk.award()
    walk.in_force()
    contract = walk.pay()
    by_id = {
        r["id"].split(f"-{walk.tender.code}-")[1]: r
        for r in releases_of(read_all(client)[0], walk.tender)
    }
    opened = by_id["L01-opened"]
    assert opened["tag"] == ["tenderUpdate"]
    stats = {s["measure"]: s["value"] for s in opened["bids"]["statistics"]}
    assert stats["bids"] == 4
    assert stats["validBids"] == 4
    assert stats["bidders"] == 4
    assert stats["lowestValidBidValue"] == Decimal("0.2000")
    assert stats["highestValidBidValue"] == Decimal("0.2900")
    assert sorted(d["value"]["amount"] for d in opened["bids"]["details"]) == [
        Decimal(p) for p in ("0.2000", "0.2200", "0.2500", "0.2900")
    ]
    assert "bids" not in by_id["L01-awarded"]
    assert "bids" not in by_id["L01-bidding_open"]
    winners = {
        a["suppliers"][0]["name"]: a["value"]["amount"] for a in by_id["L01-awarded"]["awards"]
    }
    assert len(winners) == 2
    assert sum(winners.values()) == Decimal("861.00")
    assert {c["status"] for c in by_id["L01-in_force"]["contracts"]} == {"active"}
    payment = next(r for key, r in by_id.items() if key.startswith("L01-payment-"))
    assert payment["tag"] == ["implementation"]
    [paid] = payment["contracts"]
    assert paid["id"] == f"L01-h{contract.hospital_id}-m{contract.manufacturer_id}"
    [txn] = paid["implementation"]["transactions"]
    assert txn["value"] == {"amount": Decimal("11.20"), "currency": "CNY"}  # 56 x 0.2000
    assert txn["payee"]["id"] == f"org-{contract.manufacturer_id}"
    roles = {p["id"]: set(p["roles"]) for p in payment["parties"]}
    assert roles[txn["payer"]["id"]] == {"payer"}
    assert {"payee", "supplier"} <= roles[txn["payee"]["id"]]
    assert txn["date"].endswith("+08:00")
    assert payment["date"] == txn["date"]


def test_no_bid_reaches_the_feed_before_its_tender_is_opened(walk, client):
    packages, texts = walk.seen["sealed"]
    sealed = "".join(texts)
    refs = sorted(b.reference for b in walk.seen["bids"])
    bidders = sorted({f'"org-{b.manufacturer_id}"' for b in walk.seen["bids"]})
    for release in releases_of(packages, walk.tender):
        assert "bids" not in release
        assert "numberOfTenderers" not in release["tender"]
    assert [ref for ref in refs if ref in sealed] == []
    assert [bidder for bidder in bidders if bidder in sealed] == []
    # The same search finds every bid once the tender is opened: the check above can fail.
    opened = "".join(read_all(client)[1])
    assert [ref for ref in refs if ref in opened] == refs
    assert [bidder for bidder in bidders if bidder in opened] == bidders


def test_pages_skip_and_repeat_nothing_while_changes_arrive(walk, client):
    first = client.get(f"{FEED}?limit=3").get_json()
    assert len(first["releases"]) == 3
    walk.award()  # new changes between two pages
    rest, _texts = read_all(client, first["links"]["next"].removeprefix(BASE))
    seen = [r["id"] for r in first["releases"]] + [r["id"] for p in rest for r in p["releases"]]
    assert len(seen) == len(set(seen))
    everything = [r["id"] for p in read_all(client, f"{FEED}?limit=100")[0] for r in p["releases"]]
    assert seen == everything
    assert [i.split(f"-{walk.tender.code}-")[1] for i in seen[-2:]] == [
        "L01-awarded",
        "L02-awarded",
    ]
    dates = [datetime.fromisoformat(r["date"]) for p in rest for r in p["releases"]]
    assert dates == sorted(dates)
    last = rest[-1]["links"]["next"].removeprefix(BASE)
    assert client.get(last).status_code == 204  # nothing more yet: poll it again later
    walk.in_force()
    arrived = client.get(last).get_json()["releases"]
    assert [r["id"].split(f"-{walk.tender.code}-")[1] for r in arrived] == [
        "L01-in_force",
        "L02-in_force",
    ]


def test_a_change_is_served_once_it_has_settled(walk, client, clock):
    def served():
        return ids(read_all(client)[0], walk.tender)

    walk.award(settled=False)
    assert "L01-awarded" not in served()
    clock.advance(FEED_SETTLE - timedelta(seconds=1))
    assert "L01-awarded" not in served()
    clock.advance(seconds=1)
    assert served()[-2:] == ["L01-awarded", "L02-awarded"]


def test_since_starts_at_a_time_given_in_any_offset(walk, client):
    everything = releases_of(read_all(client, f"{FEED}?limit=100")[0], walk.tender)
    opened = next(r for r in everything if r["id"].endswith("-L01-opened"))
    tail = [r["id"] for r in everything if r["date"] >= opened["date"]]
    reply = client.get(FEED, query_string={"since": opened["date"], "limit": 100})
    assert [r["id"] for r in reply.get_json()["releases"]] == tail
    assert opened["date"].endswith("+08:00")
    in_utc = datetime.fromisoformat(opened["date"]).astimezone(UTC).isoformat()
    again = client.get(FEED, query_string={"since": in_utc, "limit": 100}).get_json()
    assert [r["id"] for r in again["releases"]] == tail


def test_a_release_reads_the_same_whatever_happens_later(walk, client):
    before = {r["id"]: r for r in releases_of(read_all(client)[0], walk.tender)}
    walk.award()
    walk.in_force()
    walk.pay()
    after = {r["id"]: r for r in releases_of(read_all(client)[0], walk.tender)}
    assert len(after) > len(before) == 8
    assert {key: after[key] for key in before} == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-03-01T10:00:00"}, "since"),  # no offset: which time is it?
        ({"since": "2026-02-30T10:00:00+08:00"}, "since"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "MjAyNnwxfDJ8Mw"}, "cursor"),  # base64 of "2026|1|2|3"
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
    ],
)
def test_a_bad_query_is_a_422_problem_on_its_field(client, query, field):
    reply = client.get(FEED, query_string=query)
    assert reply.status_code == 422
    assert reply.mimetype == "application/problem+json"
    problem = reply.get_json()
    assert field in json.dumps(problem["errors"])


def test_a_page_larger_than_the_limit_names_max_feed_page(client):
    problem = client.get(FEED, query_string={"limit": 101}).get_json()
    assert "MAX_FEED_PAGE" in json.dumps(problem["errors"])
    assert client.get(FEED, query_string={"limit": 100}).status_code == 204  # allowed; empty


def test_the_package_names_the_platform_as_publisher(walk, client, app):
    app.config.update(
        PUBLIC_BASE_URL="https://vbp.example.cn",
        OCDS_PUBLISHER_NAME="江苏省医药集中采购平台",
        OCDS_PUBLISHER_SCHEME="CN-USCC",
        OCDS_PUBLISHER_UID="12320000MB0000000X",
        OCDS_PUBLISHER_URI="https://vbp.example.cn",
        OCDS_OCID_PREFIX="ocds-js0001",
        OCDS_PUBLICATION_POLICY="https://vbp.example.cn/public/results",
    )
    package = client.get(f"{FEED}?limit=2").get_json()
    assert package["publisher"] == {
        "name": "江苏省医药集中采购平台",
        "scheme": "CN-USCC",
        "uid": "12320000MB0000000X",
        "uri": "https://vbp.example.cn",
    }
    assert package["uri"] == "https://vbp.example.cn/api/v1/ocds/releases?limit=2"
    assert package["links"]["next"].startswith(
        "https://vbp.example.cn/api/v1/ocds/releases?cursor="
    )
    assert package["publicationPolicy"] == "https://vbp.example.cn/public/results"
    assert package["extensions"] == [BID_EXTENSION]
    assert {r["ocid"][:11] for r in package["releases"]} == {"ocds-js0001"}
    assert package["releases"][0]["ocid"] == f"ocds-js0001-{walk.tender.code}-L01"


def test_a_tender_record_package_holds_each_lots_releases_and_validates(walk, client):
    walk.award()
    walk.in_force()
    walk.pay()
    reply = client.get(f"/api/v1/tenders/{walk.tender.id}/ocds/records")
    assert reply.status_code == 200
    assert_valid(reply.get_data(as_text=True))
    package = json.loads(reply.get_data(as_text=True), parse_float=Decimal)
    assert [r["ocid"] for r in package["records"]] == [
        f"ocds-vbp001-{walk.tender.code}-L01",
        f"ocds-vbp001-{walk.tender.code}-L02",
    ]
    feed = releases_of(read_all(client)[0], walk.tender)
    for record in package["records"]:
        assert record["releases"] == [r for r in feed if r["ocid"] == record["ocid"]]
    assert package["records"][0]["releases"][-1]["tag"] == ["implementation"]


def test_a_tender_has_no_record_package_before_its_first_release_settles(
    client, make_tender, clock
):
    tender = make_tender("demand_open")
    assert client.get(f"/api/v1/tenders/{tender.id}/ocds/records").status_code == 204
    assert client.get(FEED).status_code == 204
    settle(clock)
    assert client.get(f"/api/v1/tenders/{tender.id}/ocds/records").status_code == 200
    assert client.get(FEED).status_code == 200


def test_a_draft_tender_has_no_record_package(client, make_tender):
    draft = make_tender("draft")
    reply = client.get(f"/api/v1/tenders/{draft.id}/ocds/records")
    assert reply.status_code == 404
    assert reply.mimetype == "application/problem+json"
