"""Raise notices: every notice lands in the in-app inbox in the caller's transaction.

``enqueue`` is the one entry point every feature uses; WeChat delivery (subscriptions, outbox,
dispatcher) builds on the row it writes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from backend.extensions import db
from backend.models import Notification


def enqueue(
    kind: str,
    user_id: int,
    *,
    dedupe_key: str,
    title: str,
    body: str = "",
    fields: dict[str, Any] | None = None,
    page: str = "",
) -> Notification:
    """Write a notice for ``user_id`` unless one with ``dedupe_key`` exists; return it."""
    existing = db.session.scalar(select(Notification).where(Notification.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    notice = Notification(
        user_id=user_id,
        kind=kind,
        dedupe_key=dedupe_key,
        title=title[:100],
        body=body[:500],
        fields=fields or {},
        page=page,
    )
    db.session.add(notice)
    return notice
