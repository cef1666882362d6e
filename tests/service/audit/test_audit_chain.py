"""The audit log is a hash chain written in the caller's transaction; verify finds tampering."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update

from procurement.audit import keys
from procurement.audit.models import AuditEvent, AuditHead
from procurement.audit.services import GENESIS, event_digest, keyed_digest, record, verify_chain


@pytest.fixture
def chain(db_session, clock):
    """Three committed events: seq 1, 2, 3."""

    def write(action: str, payload: dict) -> AuditEvent:
        event = record(
            db_session,
            action=action,
            subject_type="tender",
            subject_id=42,
            now=clock.advance(minutes=1),
            payload=payload,
        )
        db_session.commit()
        return event

    return [
        write("tender.created", {"code": "GY-2026-1"}),
        write("tender.published", {"lots": 3}),
        write("tender.closed", {"reason": "done"}),
    ]


def test_each_event_links_to_the_hash_of_the_one_before(chain):
    assert [e.seq for e in chain] == [1, 2, 3]
    assert chain[0].prev_hash == GENESIS
    assert chain[1].prev_hash == chain[0].hash
    assert chain[2].prev_hash == chain[1].hash
    assert len({e.hash for e in chain}) == 3


def test_the_hash_covers_the_content_and_the_previous_hash(chain):
    first = chain[0]
    content = {
        "chain": "system",
        "seq": 1,
        "occurred_at": first.occurred_at,
        "actor_user_id": None,
        "actor_org_id": None,
        "action": "tender.created",
        "subject_type": "tender",
        "subject_id": "42",
        "payload": {"code": "GY-2026-1"},
        "prev_hash": GENESIS,
    }
    key = keys.current().newest
    assert first.key_id == key.id
    assert keyed_digest(key, **content) == first.hash
    assert keyed_digest(key, **{**content, "payload": {"code": "GY-2026-2"}}) != first.hash
    assert keyed_digest(key, **{**content, "prev_hash": "1" * 64}) != first.hash
    assert event_digest(**content) != first.hash  # plain SHA-256 is not what is stored


def test_the_head_row_remembers_the_last_event(db_session, chain):
    head = db_session.get(AuditHead, "system")
    assert (head.seq, head.hash) == (3, chain[-1].hash)


def test_an_intact_chain_verifies(db_session, chain):
    report = verify_chain(db_session)
    assert report.ok
    assert report.checked == 3


def test_an_empty_log_verifies(db_session):
    report = verify_chain(db_session)
    assert (report.ok, report.checked) == (True, 0)


def test_the_actor_is_recorded(db_session, clock, make_actor):
    actor = make_actor("regulator")
    event = record(
        db_session, action="x.done", subject_type="x", subject_id=1, now=clock.now(), actor=actor
    )
    assert (event.actor_user_id, event.actor_org_id) == (actor.user_id, actor.org_id)


def test_an_event_is_part_of_the_callers_transaction(db_session, clock, chain):
    record(db_session, action="t.x", subject_type="t", subject_id=1, now=clock.now())
    db_session.rollback()
    assert db_session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc())) == 3
    assert db_session.get(AuditHead, "system").seq == 3
    assert verify_chain(db_session).ok


def test_verify_names_an_edited_event(db_session, chain):
    db_session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(payload={"lots": 30}))
    db_session.commit()
    report = verify_chain(db_session)
    assert not report.ok
    assert report.problems == ["event system#2 (tender.published): content was edited"]


def test_verify_notices_an_edited_time(db_session, chain):
    db_session.execute(
        update(AuditEvent)
        .where(AuditEvent.seq == 1)
        .values(occurred_at=chain[0].occurred_at - timedelta(days=1))
    )
    db_session.commit()
    assert verify_chain(db_session).problems == [
        "event system#1 (tender.created): content was edited"
    ]


def test_verify_names_the_gap_left_by_a_deleted_middle_event(db_session, chain):
    db_session.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    db_session.commit()
    problems = verify_chain(db_session).problems
    assert "events system#2..2 are missing (deleted?) before event system#3" in problems
    assert "event system#3: prev_hash does not match the event before it" in problems


def test_verify_notices_the_last_event_was_deleted(db_session, chain):
    db_session.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    db_session.commit()
    problems = verify_chain(db_session).problems
    assert len(problems) == 1
    assert "ends at #2 but its head says #3" in problems[0]


def test_verify_notices_an_event_rewritten_with_a_fresh_hash(db_session, chain):
    # A tamperer who recomputes the edited row's own hash still breaks the next link.
    second = chain[1]
    forged = keyed_digest(
        keys.current().newest,
        chain="system",
        seq=2,
        occurred_at=second.occurred_at,
        actor_user_id=None,
        actor_org_id=None,
        action="tender.published",
        subject_type="tender",
        subject_id="42",
        payload={"lots": 1},
        prev_hash=second.prev_hash,
    )
    db_session.execute(
        update(AuditEvent).where(AuditEvent.seq == 2).values(payload={"lots": 1}, hash=forged)
    )
    db_session.commit()
    assert verify_chain(db_session).problems == [
        "event system#3: prev_hash does not match the event before it"
    ]


def test_each_organization_writes_its_own_chain(db_session, clock, make_actor, chain):
    hospital, regulator = make_actor("hospital"), make_actor("regulator")
    for actor in (hospital, regulator, hospital):
        record(
            db_session,
            action="x.done",
            subject_type="x",
            subject_id=1,
            now=clock.now(),
            actor=actor,
        )
    db_session.commit()
    mine = db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.chain == f"org:{hospital.org_id}")
        .where(AuditEvent.action == "x.done")
        .order_by(AuditEvent.seq)
    ).all()
    assert len(mine) == 2
    assert mine[1].prev_hash == mine[0].hash
    assert verify_chain(db_session).ok


def test_verify_notices_a_whole_chain_was_deleted(db_session, clock, make_actor, chain):
    actor = make_actor("manufacturer")
    record(
        db_session, action="x.done", subject_type="x", subject_id=1, now=clock.now(), actor=actor
    )
    db_session.commit()
    db_session.execute(delete(AuditEvent).where(AuditEvent.chain == f"org:{actor.org_id}"))
    db_session.commit()
    problems = verify_chain(db_session).problems
    assert any(f"chain org:{actor.org_id}: all" in p and "were deleted" in p for p in problems)


def _canonical_json(**content) -> bytes:
    return json.dumps(
        {**content, "occurred_at": content["occurred_at"].isoformat()},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def _reference_digest(**content) -> str:
    """The legacy digest as first defined: SHA-256 of the whole event as canonical JSON."""
    return hashlib.sha256(_canonical_json(**content)).hexdigest()


def _reference_hmac(**content) -> str:
    """The keyed digest: HMAC-SHA256 of the same text under the newest audit key."""
    key = keys.current().newest.secret
    return hmac.new(key, _canonical_json(**content), hashlib.sha256).hexdigest()


def test_the_digest_is_the_sha256_of_the_whole_event_as_canonical_json(clock):
    content = {
        "chain": "org:7",
        "seq": 12,
        "occurred_at": clock.now(),
        "actor_user_id": 3,
        "actor_org_id": 7,
        "action": "orders.placed",
        "subject_type": "purchase_order",
        "subject_id": "99",
        "payload": {"note": '阿莫西林 "胶囊"\n', "total": "12.50", "lines": [1, None]},
        "prev_hash": "ab" * 32,
    }
    assert event_digest(**content) == _reference_digest(**content)
    assert event_digest(**{**content, "seq": 13}) != _reference_digest(**content)


def test_non_ascii_events_are_signed_as_the_reference_hmac_says(db_session, clock, make_actor):
    """The stored text round-trips through the database exactly (JSON payload, UTC time)."""
    actor = make_actor("hospital")
    events = [
        record(
            db_session,
            action="orders.placed",
            subject_type="purchase_order",
            subject_id=n,
            now=clock.advance(minutes=1),
            actor=actor,
            payload={"note": f"第{n}批 阿莫西林胶囊 0.25g×24粒", "total": Decimal("12.50")},
        )
        for n in range(1, 4)
    ]
    db_session.commit()
    for event in events:
        content = {
            k: getattr(event, k)
            for k in (
                "chain",
                "seq",
                "occurred_at",
                "actor_user_id",
                "actor_org_id",
                "action",
                "subject_type",
                "subject_id",
                "payload",
                "prev_hash",
            )
        }
        assert event.hash == _reference_hmac(**content)
    stored = db_session.scalars(
        select(AuditEvent.hash)
        .where(AuditEvent.chain == f"org:{actor.org_id}")
        .order_by(AuditEvent.seq)
    ).all()
    assert stored == [e.hash for e in events]
    assert [e.prev_hash for e in events[1:]] == stored[:-1]
    assert verify_chain(db_session).ok
