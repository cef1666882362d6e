"""The chain is keyed: HMAC-SHA256 under AUDIT_KEYS. Whoever can write to the database but has
no key cannot recompute it; rotation keeps old events verifiable; legacy (unkeyed) events are
accepted only when a keyed event covers them."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from procurement.audit import keys
from procurement.audit.models import AuditEvent, AuditHead
from procurement.audit.services import (
    GENESIS,
    event_digest,
    keyed_digest,
    record,
    seal_legacy,
    verify_chain,
)

OLD_KEY = "old-audit-key-0123456789abcdefghijklmnop"
NEW_KEY = "new-audit-key-0123456789abcdefghijklmnop"


@pytest.fixture
def use_keys():
    """Install a keyring for the test (``use_keys(*secrets)``); the suite's comes back after."""
    saved = keys.current()

    def install(*secrets: str) -> keys.Keyring:
        keyring = keys.Keyring(list(secrets))
        keys.install(keyring)
        return keyring

    yield install
    keys.install(saved)


@pytest.fixture
def write(db_session, clock):
    def append(n: int = 3, action: str = "tender.changed") -> None:
        for i in range(n):
            record(
                db_session,
                action=action,
                subject_type="tender",
                subject_id=7,
                now=clock.advance(minutes=1),
                payload={"step": i},
            )
        db_session.commit()

    return append


def _content(event: AuditEvent) -> dict:
    return {
        "chain": event.chain,
        "seq": event.seq,
        "occurred_at": event.occurred_at,
        "actor_user_id": event.actor_user_id,
        "actor_org_id": event.actor_org_id,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "payload": event.payload,
    }


def recompute(session, *, key: keys.AuditKey | None, clear_key_id: bool = False) -> None:
    """What a tamperer with write access does after editing rows: recompute every hash of the
    ``system`` chain in order (plain SHA-256 without a key) and move the head to match."""
    prev = GENESIS
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.chain == "system").order_by(AuditEvent.seq)
    ).all()
    for event in events:
        content = {**_content(event), "prev_hash": prev}
        digest = keyed_digest(key, **content) if key else event_digest(**content)
        values = {"prev_hash": prev, "hash": digest}
        if clear_key_id:
            values["key_id"] = None
        session.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(**values))
        prev = digest
    session.execute(
        update(AuditHead).where(AuditHead.chain == "system").values(seq=events[-1].seq, hash=prev)
    )
    session.commit()


def test_every_event_names_the_key_that_signed_it_never_the_key(db_session, write, use_keys):
    keyring = use_keys(NEW_KEY)
    write(2)
    stored = db_session.scalars(select(AuditEvent.key_id)).all()
    assert stored == [keyring.newest.id] * 2
    assert keyring.newest.id == keys.key_id(NEW_KEY)
    assert NEW_KEY not in keyring.newest.id
    assert len(keyring.newest.id) == keys.KEY_ID_LENGTH


def test_an_edited_event_with_the_plain_chain_recomputed_is_caught(db_session, write):
    write(3)
    db_session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(payload={"step": 99}))
    recompute(db_session, key=None)
    problems = verify_chain(db_session).problems
    assert "event system#1 (tender.changed): content was edited" in problems
    assert "event system#2 (tender.changed): content was edited" in problems
    assert "event system#3 (tender.changed): content was edited" in problems


def test_a_chain_recomputed_with_the_correct_unkeyed_hash_is_caught(db_session, write):
    write(3)
    db_session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(payload={"step": 99}))
    recompute(db_session, key=None, clear_key_id=True)  # every hash right for plain SHA-256
    problems = verify_chain(db_session).problems
    assert len(problems) == 1
    assert problems[0].startswith(
        "chain system: events #1..#3 at its end are hashed without an audit key"
    )
    assert "recomputed without the key" in problems[0]


def test_an_unkeyed_event_after_keyed_ones_is_caught(db_session, write):
    write(3)
    second = db_session.scalars(select(AuditEvent).where(AuditEvent.seq == 2)).one()
    forged = event_digest(**_content(second), prev_hash=second.prev_hash)
    db_session.execute(
        update(AuditEvent).where(AuditEvent.seq == 2).values(key_id=None, hash=forged)
    )
    db_session.commit()
    assert verify_chain(db_session).problems == [
        "event system#2: hashed without an audit key after keyed events: recomputed by "
        "someone without the key",
        "event system#3: prev_hash does not match the event before it",
    ]


def test_legacy_events_pass_when_a_keyed_event_follows_them(db_session, write):
    write(3)
    recompute(db_session, key=None, clear_key_id=True)  # as written before AUDIT_KEYS
    write(1)  # keyed event #4 covers #1..#3
    report = verify_chain(db_session)
    assert (report.ok, report.checked) == (True, 4)


def test_old_events_verify_after_a_new_key_is_put_first(db_session, write, use_keys):
    old = use_keys(OLD_KEY).newest
    write(2)
    rotated = use_keys(NEW_KEY, OLD_KEY)
    write(2)
    ids = db_session.scalars(select(AuditEvent.key_id).order_by(AuditEvent.seq)).all()
    assert ids == [old.id, old.id, rotated.newest.id, rotated.newest.id]
    report = verify_chain(db_session)
    assert (report.ok, report.checked) == (True, 4)


def test_dropping_a_key_still_in_use_names_it(db_session, write, use_keys):
    old = use_keys(OLD_KEY).newest
    write(1)
    use_keys(NEW_KEY)
    write(1)
    assert verify_chain(db_session).problems == [
        f"event system#1: signed with audit key {old.id}, which is not in AUDIT_KEYS "
        "(put the key back in the list, or the event was forged)"
    ]


def test_a_chain_recomputed_with_another_key_is_caught(db_session, write, use_keys):
    write(3)
    db_session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(payload={"step": 99}))
    recompute(db_session, key=keys.Keyring([NEW_KEY]).newest)  # a key the platform lacks
    problems = verify_chain(db_session).problems
    assert [p for p in problems if "content was edited" in p] == [
        f"event system#{n} (tender.changed): content was edited" for n in (1, 2, 3)
    ]


def test_sealing_legacy_chains_covers_them_with_a_keyed_event(db_session, write, clock):
    write(3)
    recompute(db_session, key=None, clear_key_id=True)  # as written before AUDIT_KEYS
    assert not verify_chain(db_session).ok
    assert seal_legacy(db_session, now=clock.now()) == ["system"]
    assert seal_legacy(db_session, now=clock.now()) == []  # idempotent
    report = verify_chain(db_session)
    assert (report.ok, report.checked) == (True, 4)
    sealing = db_session.scalars(select(AuditEvent).where(AuditEvent.seq == 4)).one()
    assert (sealing.action, sealing.key_id) == ("audit.legacy_sealed", keys.current().newest.id)
    # A legacy event edited (and re-hashed) after sealing breaks the keyed event's link.
    db_session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(payload={"x": 1}))
    recompute_until = db_session.scalars(select(AuditEvent).where(AuditEvent.seq == 3)).one()
    forged = event_digest(**_content(recompute_until), prev_hash=recompute_until.prev_hash)
    db_session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(hash=forged))
    db_session.commit()
    assert verify_chain(db_session).problems == [
        "event system#4: prev_hash does not match the event before it"
    ]
