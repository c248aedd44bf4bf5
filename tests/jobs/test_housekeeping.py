"""Nightly housekeeping: delivered outbox rows and old idempotency keys go; records stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from backend.extensions import db
from backend.jobs.maintenance import purge
from backend.jobs.registry import JOBS
from backend.models import IdempotencyRecord, Notification, OutboxMessage
from backend.utils import utcnow
from tests.notify_support import notify, subscribe


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_purge_keeps_what_people_rely_on(app, demo, new_user):
    user = new_user("keeper")
    subscribe(app, user, times=5)
    rows = []
    for i, status in enumerate(["sent", "skipped", "failed", "pending"]):
        notify(user, f"housekeeping:{i}")
        db.session.commit()
        row = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        rows.append((row.id, status))
    old = utcnow() - timedelta(days=app.config["OUTBOX_RETENTION_DAYS"] + 1)
    for row_id, status in rows:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(status=status, updated_at=old)
            .execution_options(synchronize_session=False)
        )
    # a delivered row that is still recent stays too
    notify(user, "housekeeping:recent")
    db.session.commit()
    recent = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    recent.status = "sent"
    db.session.add_all(
        [
            IdempotencyRecord(
                user_id=user.id,
                scope="donation",
                key="old",
                request_hash="x",
                status_code=201,
                created_at=utcnow() - timedelta(days=30),
            ),
            IdempotencyRecord(
                user_id=user.id, scope="donation", key="new", request_hash="x", status_code=201
            ),
        ]
    )
    db.session.commit()
    inbox_before = _count(Notification)

    result = purge()
    db.session.commit()

    assert result == {"outbox": 2, "idempotency": 1}
    left = dict(db.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())
    assert sorted(left.values()) == ["failed", "pending", "sent"]  # failed, pending, recent sent
    assert recent.id in left
    assert db.session.scalars(select(IdempotencyRecord.key)).all() == ["new"]
    assert _count(Notification) == inbox_before  # the inbox keeps every notice
    assert purge() == {"outbox": 0, "idempotency": 0}  # nothing left to do


def test_purge_is_registered_nightly():
    [job] = [job for job in JOBS if job.id == "maintenance.purge"]
    assert job.func == "backend.jobs.maintenance:purge" and job.trigger == "cron"
