"""Related-bidder groups over the API: the authorization matrix (only a regulator writes; a
manufacturer reads its own group), refusals as problem+json that change nothing, the audit."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from procurement.audit.models import AuditEvent
from procurement.bidding.models import BidderGroup, BidderGroupMember

_n = itertools.count(1)
# The owners act last, so that a successful change does not alter what the others see.
ACTORS = [
    "anonymous",
    "fund",
    "distributor",
    "hospital",
    "other_manufacturer",
    "manufacturer",
    "other_regulator",
    "regulator",
]
FORBIDDEN = dict.fromkeys(ACTORS[1:], 403) | {"anonymous": 401}
READERS = FORBIDDEN | {"manufacturer": 200, "other_manufacturer": 200}

# (method, path, body factory(ids), expected status per actor)
MATRIX = {
    "list groups": (
        "get",
        "/bidder-groups",
        None,
        READERS | {"regulator": 200, "other_regulator": 200},
    ),
    "create group": (
        "post",
        "/bidder-groups",
        lambda ids: {"json": {"name": f"集团{next(_n)}", "members": [next(ids["free"])]}},
        FORBIDDEN | {"regulator": 201, "other_regulator": 201},
    ),
    "read group": (
        "get",
        "/bidder-groups/{group}",
        None,
        FORBIDDEN
        | {
            "manufacturer": 200,
            "other_manufacturer": 404,
            "regulator": 200,
            "other_regulator": 200,
        },
    ),
    "add member": (
        "post",
        "/bidder-groups/{group}/members",
        lambda ids: {"json": {"manufacturer_id": next(ids["free"])}},
        FORBIDDEN | {"regulator": 201, "other_regulator": 201},
    ),
    "remove member": (
        "delete",
        "/bidder-groups/{group}/members/{removable}",
        None,
        # Groups are the platform's: the first regulator removes it, the second finds no member.
        FORBIDDEN | {"other_regulator": 200, "regulator": 422},
    ),
    "name the bidding member": (
        "post",
        "/bidder-groups/{group}/designations",
        lambda ids: {"json": {"tender_id": ids["tender"], "manufacturer_id": ids["member"]}},
        FORBIDDEN | {"regulator": 201},
    ),
    "withdraw the bidding member": (
        "delete",
        "/bidder-groups/{group}/designations/{designation}",
        None,
        FORBIDDEN | {"regulator": 200},
    ),
}


@pytest.fixture
def world(client, make_user, make_tender, regulator, auth_headers):
    users = {
        "regulator": regulator,
        "other_regulator": make_user(kind="regulator", region_code="320000"),
        "fund": make_user(kind="fund"),
        "hospital": make_user(kind="hospital"),
        "manufacturer": make_user(kind="manufacturer"),
        "other_manufacturer": make_user(kind="manufacturer"),
        "distributor": make_user(kind="distributor"),
    }
    headers = {name: auth_headers(user) for name, user in users.items()} | {"anonymous": {}}
    member, removable = (make_user(kind="manufacturer").organization_id for _ in range(2))
    body = {
        "name": "华东医药集团",
        "members": [users["manufacturer"].organization_id, member, removable],
    }
    group = client.post("/api/v1/bidder-groups", json=body, headers=headers["regulator"])
    assert group.status_code == 201, group.get_json()
    tender = make_tender("bidding_open", lots=1)
    group_id = group.get_json()["id"]
    named = client.post(
        f"/api/v1/bidder-groups/{group_id}/designations",
        json={"tender_id": tender.id, "manufacturer_id": member},
        headers=headers["regulator"],
    )
    assert named.status_code == 201, named.get_json()
    ids = {
        "group": group_id,
        "member": member,
        "removable": removable,
        "tender": tender.id,
        "designation": named.get_json()["id"],
        "free": iter([make_user(kind="manufacturer").organization_id for _ in range(8)]),
    }
    return ids, headers


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_each_group_endpoint_answers_each_kind_of_organization_as_the_matrix_says(
    client, world, endpoint
):
    ids, headers = world
    method, path, body, expected = MATRIX[endpoint]
    url = "/api/v1" + path.format(**ids)
    got = {}
    for actor in ACTORS:
        kwargs = body(ids) if body else {}
        kwargs["headers"] = headers[actor]
        response = getattr(client, method)(url, **kwargs)
        got[actor] = response.status_code
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (actor, response.data)
            assert response.get_json()["detail"], actor
    assert got == {a: expected[a] for a in ACTORS}


def test_a_manufacturer_sees_only_its_own_group_and_no_bid(client, world):
    ids, headers = world
    mine = client.get("/api/v1/bidder-groups", headers=headers["manufacturer"]).get_json()
    assert [g["name"] for g in mine] == ["华东医药集团"]
    assert {m["manufacturer_id"] for m in mine[0]["members"]} >= {ids["member"]}
    assert set(mine[0]) == {"id", "name", "members", "designations", "created_at"}
    other = client.get("/api/v1/bidder-groups", headers=headers["other_manufacturer"])
    assert other.get_json() == []


def test_a_manufacturer_in_a_group_cannot_join_another_and_nothing_changes(
    client, world, db_session
):
    ids, headers = world
    before = db_session.scalar(select(func.count()).select_from(BidderGroup))
    response = client.post(
        "/api/v1/bidder-groups",
        json={"name": "另一集团", "members": [ids["member"]]},
        headers=headers["regulator"],
    )
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("/already-in-a-group")
    assert body["errors"] == {"manufacturer_id": ["already in the group 华东医药集团"]}
    assert db_session.scalar(select(func.count()).select_from(BidderGroup)) == before
    joined = db_session.scalar(
        select(BidderGroupMember.group_id).where(BidderGroupMember.manufacturer_id == ids["member"])
    )
    assert joined == ids["group"]


def test_a_duplicate_name_and_a_non_manufacturer_are_refused_beside_their_fields(
    client, world, regulator
):
    ids, headers = world
    taken = client.post(
        "/api/v1/bidder-groups", json={"name": "华东医药集团"}, headers=headers["regulator"]
    )
    assert (taken.status_code, taken.get_json()["errors"]) == (
        409,
        {"name": ["another group has this name"]},
    )
    url = f"/api/v1/bidder-groups/{ids['group']}/members"
    wrong = client.post(
        url, json={"manufacturer_id": regulator.organization_id}, headers=headers["regulator"]
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["errors"] == {"manufacturer_id": ["not a manufacturer organization"]}


def test_the_bidding_member_must_be_a_member_and_cannot_change_after_opening(
    client, world, make_tender, make_user
):
    ids, headers = world
    url = f"/api/v1/bidder-groups/{ids['group']}/designations"
    outsider = make_user(kind="manufacturer").organization_id
    refused = client.post(
        url,
        json={"tender_id": ids["tender"], "manufacturer_id": outsider},
        headers=headers["regulator"],
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"manufacturer_id": ["not a member of this group"]}
    opened = make_tender("opened", lots=1)
    late = client.post(
        url,
        json={"tender_id": opened.id, "manufacturer_id": ids["member"]},
        headers=headers["regulator"],
    )
    assert late.status_code == 409
    assert late.get_json()["type"].endswith("/group-designation-closed")


def test_every_group_change_is_audited(client, world, db_session):
    ids, headers = world
    client.delete(
        f"/api/v1/bidder-groups/{ids['group']}/members/{ids['removable']}",
        headers=headers["regulator"],
    )
    events = db_session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == "bidder_group", AuditEvent.subject_id == str(ids["group"])
        )
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.action for e in events] == [
        "bidder_group.created",
        "bidder_group.bidder_named",
        "bidder_group.member_removed",
    ]
    assert events[-1].payload["manufacturer_id"] == ids["removable"]
