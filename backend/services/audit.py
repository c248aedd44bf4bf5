"""Record admin actions: who, what, when, before/after."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from backend.extensions import db
from backend.models import AuditLog, User


def record(
    actor: User | None,
    action: str,
    target: Any,
    *,
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
    region_id: int | None = None,
) -> AuditLog:
    """Add an audit row in the caller's transaction."""
    ip = ""
    if has_request_context():
        ip = request.headers.get("X-Real-IP") or request.remote_addr or ""
    row = AuditLog(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=getattr(target, "id", None),
        region_id=region_id if region_id is not None else getattr(target, "region_id", None),
        reason=reason,
        before=before,
        after=after,
        ip=ip,
    )
    db.session.add(row)
    return row


def snapshot(obj: Any, *names: str) -> dict:
    """The named attributes of ``obj`` as JSON-friendly values (for before/after)."""
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
