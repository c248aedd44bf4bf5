"""Raise notices: every notice lands in the in-app inbox, in the caller's transaction.

``enqueue`` is the one entry point every feature uses. The inbox row is always written; when the
kind has a WeChat template and the user has an acceptance of it left, one acceptance is consumed
(a conditional UPDATE, so two requests never spend the same one) and an outbox row is written
too, in the same transaction: if the caller rolls back, neither the notice nor the message
exists. The dispatcher (``services.outbox``) sends outbox rows later; WeChat being slow or down
never fails the request that raised the notice.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from backend.errors import NotFound, ValidationFailed
from backend.extensions import db
from backend.models import Notification, OutboxMessage, Subscription, User
from backend.services.notification_templates import (
    FieldError,
    kind_of_template_id,
    template_for,
)
from backend.utils import utcnow

log = logging.getLogger(__name__)

SUBSCRIBE_ANSWERS = ("accept", "reject", "ban", "filter")


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
    """Write a notice for ``user_id`` unless one with ``dedupe_key`` exists; return it.

    Also queues a WeChat subscribe message when the user has an acceptance of the kind's
    template left. Raises ValueError for an unknown ``kind`` (a programming error).
    """
    template = template_for(kind)
    existing = _by_dedupe_key(dedupe_key)
    if existing is not None:
        return existing
    fields = dict(fields or {})
    notice = Notification(
        user_id=user_id,
        kind=kind,
        dedupe_key=dedupe_key,
        title=title[:100],
        body=body[:500],
        fields=fields,
        page=page or template.page,
    )
    try:
        # A savepoint: a twin request that inserted the same key first costs only this insert.
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:
        existing = _by_dedupe_key(dedupe_key)
        if existing is None:
            raise
        return existing
    _queue_wechat(notice, template)
    return notice


def _by_dedupe_key(dedupe_key: str) -> Notification | None:
    return db.session.scalar(select(Notification).where(Notification.dedupe_key == dedupe_key))


def _queue_wechat(notice: Notification, template) -> None:
    template_id = template.template_id()
    if not template_id:
        return  # inbox-only kind, or no template configured for it
    user = db.session.get(User, notice.user_id)
    if user is None or not user.is_active or not user.openid:
        return
    try:
        data = template.build(notice.fields)
    except FieldError as error:
        # A caller's bad value must not fail its request: the notice stays in the inbox.
        log.warning("notice %s (%s) not sent to WeChat: %s", notice.id, notice.kind, error)
        return
    if not _consume_subscription(notice.user_id, template_id):
        return
    db.session.add(
        OutboxMessage(
            notification_id=notice.id,
            user_id=notice.user_id,
            kind=notice.kind,
            template_id=template_id,
            data=data,
            page=notice.page,
            status="pending",
            next_attempt_at=utcnow(),
        )
    )


def _consume_subscription(user_id: int, template_id: str) -> bool:
    """Spend one acceptance atomically; False when none is left (inbox only, no WeChat call)."""
    result = db.session.execute(
        update(Subscription)
        .where(
            Subscription.user_id == user_id,
            Subscription.template_id == template_id,
            Subscription.remaining > 0,
        )
        .values(remaining=Subscription.remaining - 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# -- subscriptions --------------------------------------------------------------------------


def record_subscriptions(user: User, results: dict[str, str]) -> list[Subscription]:
    """Record the answers of ``wx.requestSubscribeMessage`` ({template_id: answer}).

    Each ``accept`` banks one message; ``ban`` (the user switched the template off) clears
    what is left; ``reject`` and ``filter`` change nothing but the last answer.
    """
    answers = {k: v for k, v in results.items() if k != "errMsg"}  # wx adds errMsg to its result
    if not answers:
        raise ValidationFailed(errors={"results": ["请至少提交一个模板的订阅结果"]})
    problems = {}
    kinds = {}
    for template_id, answer in answers.items():
        kind = kind_of_template_id(template_id)
        if kind is None:
            problems[template_id] = ["未知的消息模板"]
        elif answer not in SUBSCRIBE_ANSWERS:
            problems[template_id] = ["订阅结果须为 accept、reject、ban 或 filter"]
        kinds[template_id] = kind
    if problems:
        raise ValidationFailed(errors={"results": problems})
    cap = current_app.config["NOTIFY_MAX_SUBSCRIPTIONS"]
    # Reports of one user queue on the user's row: two first-time reports racing to insert the
    # same subscription row would otherwise deadlock in InnoDB's duplicate-key locking.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    for template_id, answer in answers.items():
        _ensure_subscription(user.id, kinds[template_id], template_id)
        values: dict[str, Any] = {"last_result": answer, "updated_at": utcnow()}
        if answer == "accept":
            # Conditional arithmetic in SQL: concurrent reports each add exactly one.
            values["remaining"] = case(
                (Subscription.remaining >= cap, cap), else_=Subscription.remaining + 1
            )
            values["accepted_total"] = Subscription.accepted_total + 1
        elif answer == "ban":
            values["remaining"] = 0
        db.session.execute(
            update(Subscription)
            .where(Subscription.user_id == user.id, Subscription.template_id == template_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    return subscriptions_of(user)


def _ensure_subscription(user_id: int, kind: str, template_id: str) -> None:
    exists = db.session.scalar(
        select(Subscription.id).where(
            Subscription.user_id == user_id, Subscription.template_id == template_id
        )
    )
    if exists is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                Subscription(user_id=user_id, kind=kind, template_id=template_id, remaining=0)
            )
            db.session.flush()
    except IntegrityError:
        pass  # a concurrent report created it; the UPDATE that follows counts ours


def subscriptions_of(user: User) -> list[Subscription]:
    """The user's subscriptions of currently configured templates."""
    rows = db.session.scalars(
        select(Subscription)
        .where(Subscription.user_id == user.id)
        .order_by(Subscription.kind)
        .execution_options(populate_existing=True)  # counts were changed in SQL
    ).all()
    return [row for row in rows if kind_of_template_id(row.template_id) == row.kind]


def reset_subscription(user_id: int, template_id: str) -> None:
    """WeChat answered 43101 (no acceptance left on its side): ours is zero too."""
    db.session.execute(
        update(Subscription)
        .where(Subscription.user_id == user_id, Subscription.template_id == template_id)
        .values(remaining=0, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


# -- inbox ----------------------------------------------------------------------------------


def inbox_query(user: User, unread: bool | None = None, kind: str | None = None) -> Select:
    """The user's notices, newest first."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread is True:
        query = query.where(Notification.read_at.is_(None))
    elif unread is False:
        query = query.where(Notification.read_at.is_not(None))
    if kind:
        query = query.where(Notification.kind == kind)
    return query.order_by(Notification.id.desc())


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of my notices read (again is fine: the first read time stays)."""
    notice = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if notice is None:
        raise NotFound("消息不存在")
    if notice.read_at is None:
        db.session.execute(
            update(Notification)
            .where(Notification.id == notice.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(notice)
    return notice


def mark_all_read(user: User) -> int:
    """Mark every unread notice of mine read; return how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def content_of(notice: Notification) -> str:
    """The text the inbox shows: the notice's body, or its fields in readable lines."""
    if notice.body:
        return notice.body
    try:
        return template_for(notice.kind).describe(notice.fields or {})
    except ValueError:
        return ""
