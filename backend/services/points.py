"""The points ledger: one writer function, append-only rows, balances kept in step.

``grant`` is the only code that writes points. Each grant has a unique key
``(source_type, source_id, user_id)``, so a retried or racing request never grants twice.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from backend.errors import Conflict
from backend.extensions import db
from backend.models import PointsAccount, PointsEntry
from backend.models.points import POINT_SOURCES
from backend.models.types import utcnow


class AlreadyGranted(Conflict):
    code, message = "points_already_granted", "该积分已发放,不能重复发放"


def grant(
    user_id: int,
    amount: int,
    source_type: str,
    source_id: str | int,
    *,
    reason: str = "",
    region_id: int | None = None,
    actor_id: int | None = None,
) -> PointsEntry:
    """Append one entry and move the balance; raises ``AlreadyGranted`` on a duplicate key."""
    if source_type not in POINT_SOURCES:
        raise ValueError(f"unknown points source {source_type!r}")
    entry = PointsEntry(
        user_id=user_id,
        amount=int(amount),
        source_type=source_type,
        source_id=str(source_id),
        reason=reason[:200],
        region_id=region_id,
        actor_id=actor_id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError as exc:
        raise AlreadyGranted() from exc
    _ensure_account(user_id)
    # One UPDATE with arithmetic in SQL: concurrent grants to one user cannot lose an update.
    db.session.execute(
        update(PointsAccount)
        .where(PointsAccount.user_id == user_id)
        .values(
            balance=PointsAccount.balance + entry.amount,
            earned=PointsAccount.earned + max(entry.amount, 0),
            updated_at=utcnow(),
        )
    )
    return entry


def _ensure_account(user_id: int) -> None:
    exists = db.session.scalar(select(PointsAccount.id).where(PointsAccount.user_id == user_id))
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(PointsAccount(user_id=user_id, balance=0, earned=0))
        except IntegrityError:
            pass  # created by a concurrent grant; the UPDATE below applies to it


def balance_of(user_id: int) -> int:
    value = db.session.scalar(select(PointsAccount.balance).where(PointsAccount.user_id == user_id))
    return value or 0
