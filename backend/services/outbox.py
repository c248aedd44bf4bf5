"""WeChat delivery of the outbox: claim due rows, send, record the outcome; and its admin view.

Exactly-once rests on three things. A row is claimed by one dispatcher only: a conditional
``UPDATE … SET status='sending' WHERE id IN (…) AND status='pending'`` (on MySQL the candidates
are read ``FOR UPDATE SKIP LOCKED`` so two dispatchers take different rows instead of waiting).
The claim is committed *before* WeChat is called, and each outcome is committed right after its
call, so no database transaction stays open across the network and a crash loses at most the
outcome of the calls in flight (those rows are claimed again after
``NOTIFY_SENDING_TIMEOUT_SECONDS``). Outcomes are written only by the claim's owner
(``WHERE claim_token = …``). That is why this service manages its own short transactions on
separate connections rather than leaving one commit to the job runner.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.sql import Select

from backend.errors import InvalidTransition, NotFound
from backend.extensions import db, wechat
from backend.models import OutboxMessage, User
from backend.models.notification import OUTBOX_STATUS_NAMES
from backend.permissions import OUTBOX_MANAGE, require_any
from backend.services import audit
from backend.services.notifications import reset_subscription
from backend.services.sheets import EXPORT_MAX_ROWS, Column, Sheet
from backend.transactions import retry_transaction, run_in_transaction
from backend.utils import utcnow
from backend.wechat.gateway import TOKEN_ERRCODES, SendOutcome

log = logging.getLogger(__name__)

NO_SUBSCRIPTION_ERRCODE = 43101


@dataclass(frozen=True)
class Delivery:
    """What a sender thread needs: plain values, never ORM objects (they belong to a session)."""

    id: int
    claim_token: str
    user_id: int
    template_id: str
    data: dict[str, Any]
    page: str
    attempts: int
    openid: str | None
    user_active: bool


# -- dispatch -------------------------------------------------------------------------------


def dispatch_due(*, max_batches: int | None = None) -> dict[str, int]:
    """Send every due outbox row (in batches, until none is due or the run's time is up)."""
    app = current_app._get_current_object()
    config = app.config
    summary: Counter[str] = Counter()
    summary["released"] = release_stuck()
    deadline = time.monotonic() + config["NOTIFY_MAX_RUN_SECONDS"]
    batches = 0
    with ThreadPoolExecutor(
        max_workers=max(1, config["NOTIFY_CONCURRENCY"]), thread_name_prefix="outbox"
    ) as pool:
        while time.monotonic() < deadline and (max_batches is None or batches < max_batches):
            claimed = claim_due(config["NOTIFY_BATCH_SIZE"])
            if not claimed:
                break
            batches += 1
            summary["claimed"] += len(claimed)
            for status in pool.map(lambda item: _deliver(app, item), claimed):
                summary[status] += 1
    result = {key: summary.get(key, 0) for key in ("claimed", "sent", "skipped", "retry")}
    result.update(failed=summary.get("failed", 0), released=summary["released"])
    if summary.get("error"):
        result["error"] = summary["error"]
    return result


def claim_due(limit: int, now: datetime | None = None) -> list[Delivery]:
    """Claim up to ``limit`` due rows for this dispatcher and commit the claim at once.

    Run again when the database interrupts it (on Galera two dispatchers on two nodes can both
    claim a row locally; the second COMMIT fails certification and its re-run finds the row
    taken). A lost COMMIT whose claim did land only delays those rows until they are released.
    """
    return retry_transaction(lambda: _claim_due(limit, now), label="outbox claim")


def _claim_due(limit: int, now: datetime | None) -> list[Delivery]:
    now = now or utcnow()
    token = uuid.uuid4().hex
    mysql = db.engine.dialect.name == "mysql"
    with db.engine.begin() as conn:
        candidates = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if mysql:
            candidates = candidates.with_for_update(skip_locked=True)
        ids = list(conn.scalars(candidates))
        if not ids:
            return []
        conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending")
            .values(
                status="sending",
                claim_token=token,
                claimed_at=now,
                attempts=OutboxMessage.attempts + 1,
                updated_at=now,
            )
        )
        rows = conn.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.user_id,
                OutboxMessage.template_id,
                OutboxMessage.data,
                OutboxMessage.page,
                OutboxMessage.attempts,
                User.openid,
                User.status,
            )
            .join(User, User.id == OutboxMessage.user_id)
            .where(OutboxMessage.claim_token == token, OutboxMessage.status == "sending")
            .order_by(OutboxMessage.id)
        ).all()
    return [
        Delivery(
            id=row.id,
            claim_token=token,
            user_id=row.user_id,
            template_id=row.template_id,
            data=dict(row.data or {}),
            page=row.page or "",
            attempts=row.attempts,
            openid=row.openid,
            user_active=row.status == "active",
        )
        for row in rows
    ]


def release_stuck(now: datetime | None = None) -> int:
    """Give rows left in ``sending`` by a crashed dispatcher back to the queue (or fail them)."""
    return retry_transaction(lambda: _release_stuck(now), label="outbox release")


def _release_stuck(now: datetime | None) -> int:
    now = now or utcnow()
    config = current_app.config
    cutoff = now - timedelta(seconds=config["NOTIFY_SENDING_TIMEOUT_SECONDS"])
    stuck = (OutboxMessage.status == "sending", OutboxMessage.claimed_at < cutoff)
    with db.engine.begin() as conn:
        conn.execute(
            update(OutboxMessage)
            .where(*stuck, OutboxMessage.attempts >= config["NOTIFY_MAX_ATTEMPTS"])
            .values(status="failed", claim_token=None, last_error="发送中断且重试次数已用完")
        )
        released = conn.execute(
            update(OutboxMessage)
            .where(*stuck)
            .values(status="pending", claim_token=None, next_attempt_at=now, updated_at=now)
        ).rowcount
    if released:
        log.warning("outbox: %s rows stuck in sending were released", released)
    return released


def _deliver(app: Flask, item: Delivery) -> str:
    """Send one claimed row and commit its outcome, in this thread's own app context.

    Only the outcome's transaction is retried when the database interrupts it, never the send:
    a message WeChat accepted must not go out twice.
    """
    with app.app_context():
        try:
            outcome = _send(item)
            return run_in_transaction(
                lambda: record_outcome(item, outcome), label=f"outbox row {item.id} outcome"
            )
        except Exception:
            # The row stays "sending" and is released after the timeout; the run goes on.
            db.session.rollback()
            log.exception("outbox: delivering row %s failed", item.id)
            return "error"


def _send(item: Delivery) -> SendOutcome:
    if not item.user_active or not item.openid:
        return SendOutcome("skipped", 0, "用户已注销或停用")
    return wechat.send_subscribe_message(
        item.openid, item.template_id, item.data, page=item.page or None
    )


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: half the step fixed, half random (no thundering herd)."""
    config = current_app.config
    step = min(
        config["NOTIFY_RETRY_MAX_SECONDS"],
        config["NOTIFY_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0),
    )
    return step / 2 + random.uniform(0, step / 2)


def record_outcome(item: Delivery, outcome: SendOutcome, now: datetime | None = None) -> str:
    """Write what became of one send; returns sent / skipped / retry / failed."""
    now = now or utcnow()
    status = outcome.status
    if status == "failed" and outcome.errcode in TOKEN_ERRCODES:
        status = "retry"  # the token was refused even after one refresh: try again later
    values: dict[str, Any] = {
        "claim_token": None,
        "last_errcode": outcome.errcode,
        "last_error": (outcome.errmsg or "")[:255],
        "updated_at": now,
    }
    if status == "sent":
        values.update(status="sent", sent_at=now, last_error="")
    elif status == "skipped":
        values["status"] = "skipped"
        if outcome.errcode == NO_SUBSCRIPTION_ERRCODE:
            reset_subscription(item.user_id, item.template_id)
    elif status == "retry" and item.attempts < current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        values.update(
            status="pending",
            next_attempt_at=now + timedelta(seconds=backoff_seconds(item.attempts)),
        )
    else:
        status = "failed"
        values["status"] = "failed"
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item.id, OutboxMessage.claim_token == item.claim_token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        log.warning("outbox: row %s was re-claimed before its outcome was recorded", item.id)
    level = logging.INFO if status in ("sent", "skipped") else logging.WARNING
    log.log(level, "outbox row %s: %s (%s %s)", item.id, status, outcome.errcode, outcome.errmsg)
    return status


# -- admin ----------------------------------------------------------------------------------


def list_query(
    viewer: User,
    status: str | None = None,
    kind: str | None = None,
    user_id: int | None = None,
) -> Select:
    """Outbox rows, newest first (city admins only: the outbox is county-wide)."""
    require_any(viewer, OUTBOX_MANAGE)
    query = select(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == status)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if user_id:
        query = query.where(OutboxMessage.user_id == user_id)
    return query.order_by(OutboxMessage.id.desc())


OUTBOX_COLUMNS = (
    Column("编号", "integer"),
    Column("消息编号", "integer"),
    Column("用户编号", "integer"),
    Column("类型"),
    Column("模板ID"),
    Column("状态", "code", OUTBOX_STATUS_NAMES),
    Column("尝试次数", "integer"),
    Column("下次尝试", "datetime"),
    Column("错误码", "integer"),
    Column("错误信息"),
    Column("发送时间", "datetime"),
    Column("创建时间", "datetime"),
)


def outbox_sheet(viewer: User, **filters) -> Sheet:
    """Every outbox row matching the filters (up to EXPORT_MAX_ROWS), as a download."""
    query = list_query(viewer, **filters).limit(EXPORT_MAX_ROWS)
    rows = (
        (
            row.id, row.notification_id, row.user_id, row.kind, row.template_id, row.status,
            row.attempts, row.next_attempt_at, row.last_errcode, row.last_error, row.sent_at,
            row.created_at,
        )
        for row in db.session.scalars(query)
    )  # fmt: skip
    return Sheet("outbox", OUTBOX_COLUMNS, rows)


def stats(viewer: User) -> dict[str, int]:
    """How many rows are in each state."""
    require_any(viewer, OUTBOX_MANAGE)
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        ).all()
    )
    return {name: counts.get(name, 0) for name in OUTBOX_STATUS_NAMES}


def resend(viewer: User, outbox_id: int, reason: str = "") -> OutboxMessage:
    """Put a failed row back in the queue, due now, with a fresh count of attempts."""
    require_any(viewer, OUTBOX_MANAGE)
    row = db.session.get(OutboxMessage, outbox_id)
    if row is None:
        raise NotFound("消息不存在")
    before = audit.snapshot(row, "status", "attempts", "last_errcode", "last_error")
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=now, claim_token=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        current = OUTBOX_STATUS_NAMES[row.status]
        raise InvalidTransition(f"只有发送失败的消息可以重发(当前:{current})")
    db.session.refresh(row)
    audit.record(
        viewer,
        "outbox.resend",
        row,
        reason=reason,
        before=before,
        after=audit.snapshot(row, "status", "attempts"),
    )
    return row
