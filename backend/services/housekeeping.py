"""Housekeeping: drop rows that have done their job (delivered outbox rows, old idempotency keys).

Ledgers, inbox notices, audit rows and failed outbox rows are never purged here: they are records
people rely on. Deletes run in bounded batches so a large backlog never holds long locks.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from backend.extensions import db
from backend.models import IdempotencyRecord, OutboxMessage
from backend.utils import utcnow

BATCH = 1000
DONE_STATUSES = ("sent", "skipped")


def _purge(model, *conditions, limit: int) -> int:
    """Delete up to ``limit`` rows matching ``conditions``, a batch of ids at a time."""
    removed = 0
    while removed < limit:
        ids = db.session.scalars(
            select(model.id)
            .where(*conditions)
            .order_by(model.id)
            .limit(min(BATCH, limit - removed))
        ).all()
        if not ids:
            break
        db.session.execute(delete(model).where(model.id.in_(ids)))
        removed += len(ids)
    return removed


def purge_outbox(limit: int = 100_000) -> int:
    """Delete delivered or skipped outbox rows older than OUTBOX_RETENTION_DAYS (failed rows stay
    for admins to see and resend; the inbox keeps every notice)."""
    cutoff = utcnow() - timedelta(days=current_app.config["OUTBOX_RETENTION_DAYS"])
    return _purge(
        OutboxMessage,
        OutboxMessage.status.in_(DONE_STATUSES),
        OutboxMessage.updated_at < cutoff,
        limit=limit,
    )


def purge_idempotency(limit: int = 100_000) -> int:
    """Delete Idempotency-Key records older than IDEMPOTENCY_RETENTION_DAYS (retries come within
    minutes; the records only guard against doubles, they are not the ledger)."""
    cutoff = utcnow() - timedelta(days=current_app.config["IDEMPOTENCY_RETENTION_DAYS"])
    return _purge(IdempotencyRecord, IdempotencyRecord.created_at < cutoff, limit=limit)
