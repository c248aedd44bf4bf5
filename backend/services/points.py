"""The points ledger: one writer function, append-only rows, balances and totals kept in step.

``grant`` is the only code that writes points. Each grant has a unique key
``(source_type, source_id, user_id)``, so a retried or racing request never grants twice. In the
same transaction it moves the user's balance and the per-period totals (day, week, month, quarter,
year, all — cut in China time) of the entry's village and every region above it, which is what
leaderboards and the daily-best bulletin read. ``check_points`` recomputes all of it from the rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import (
    PointsAccount,
    PointsAdjustment,
    PointsEntry,
    PointsTotal,
    Region,
    User,
    Volunteer,
)
from backend.models.points import POINT_SOURCES, SOURCES_OUTSIDE_TOTALS
from backend.permissions import POINTS_ADJUST, get_scoped, require_any, scoped
from backend.services import audit
from backend.services.periods import PERIODS, period_key, period_keys
from backend.utils import china_midnight_utc, china_today, utcnow

# Regions that get totals; grids roll up into their village.
TOTAL_LEVELS = ("city", "township", "village")


class AlreadyGranted(Conflict):
    code, message = "points_already_granted", "该积分已发放,不能重复发放"


class InsufficientPoints(Conflict):
    code, message = "points_insufficient", "积分余额不足,不能扣减"


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
    """Append one entry, move the balance and the period totals; ``AlreadyGranted`` on a dup."""
    if source_type not in POINT_SOURCES:
        raise ValueError(f"unknown points source {source_type!r}")
    amount = int(amount)
    now = utcnow()
    entry = PointsEntry(
        user_id=user_id,
        amount=amount,
        source_type=source_type,
        source_id=str(source_id),
        reason=reason[:200],
        region_id=region_id,
        actor_id=actor_id,
        created_at=now,
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
            balance=PointsAccount.balance + amount,
            earned=PointsAccount.earned + max(amount, 0),
            updated_at=now,
        )
    )
    # A zero-point entry (an activity worth no points) is recorded but changes no score and so
    # must not move "reached_at" either.
    if amount and region_id is not None and source_type not in SOURCES_OUTSIDE_TOTALS:
        _bump_totals(user_id, region_id, amount, now)
    return entry


def _ensure_account(user_id: int) -> None:
    exists = db.session.scalar(select(PointsAccount.id).where(PointsAccount.user_id == user_id))
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(PointsAccount(user_id=user_id, balance=0, earned=0))
        except IntegrityError:
            pass  # created by a concurrent grant; the UPDATE below applies to it


def rollup_region_ids(region_id: int) -> list[int]:
    """The village, township and city a region belongs to (ids from its materialised path)."""
    region = db.session.get(Region, region_id)
    if region is None:
        return []
    ids = region.ancestor_ids()
    rows = db.session.execute(select(Region.id, Region.level).where(Region.id.in_(ids))).all()
    return sorted(rid for rid, level in rows if level in TOTAL_LEVELS)


def _bump_totals(user_id: int, region_id: int, amount: int, at: datetime) -> None:
    """Add ``amount`` to the user's 6 period totals in up to 3 regions: one upsert statement.

    The upsert is atomic in the database, so racing grants to one user never lose points;
    ``reached_at`` keeps the latest change (GREATEST/MAX), whatever the commit order.
    """
    keys = period_keys(at)
    rows = [
        {
            "region_id": rid,
            "period": period,
            "period_key": keys[period],
            "user_id": user_id,
            "points": amount,
            "reached_at": at,
            "created_at": at,
        }
        for rid in rollup_region_ids(region_id)
        for period in PERIODS
    ]
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "mysql":
        stmt = mysql_insert(PointsTotal).values(rows)
        stmt = stmt.on_duplicate_key_update(
            points=PointsTotal.points + stmt.inserted.points,
            reached_at=func.greatest(PointsTotal.reached_at, stmt.inserted.reached_at),
        )
        db.session.execute(stmt)
    elif dialect == "sqlite":
        stmt = sqlite_insert(PointsTotal).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=["region_id", "period", "period_key", "user_id"],
            set_={
                "points": PointsTotal.points + stmt.excluded.points,
                "reached_at": func.max(PointsTotal.reached_at, stmt.excluded.reached_at),
            },
        )
        db.session.execute(stmt)
    else:  # portable fallback: conditional UPDATE, INSERT when absent, retry on a racing insert
        for row in rows:
            _bump_one(row)


def _bump_one(row: dict) -> None:
    where = and_(
        PointsTotal.region_id == row["region_id"],
        PointsTotal.period == row["period"],
        PointsTotal.period_key == row["period_key"],
        PointsTotal.user_id == row["user_id"],
    )
    change = update(PointsTotal).where(where)
    change = change.values(points=PointsTotal.points + row["points"], reached_at=row["reached_at"])
    if db.session.execute(change).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(PointsTotal(**row))
    except IntegrityError:
        db.session.execute(change)


def balance_of(user_id: int) -> int:
    value = db.session.scalar(select(PointsAccount.balance).where(PointsAccount.user_id == user_id))
    return value or 0


# ---------------------------------------------------------------------------------------------
# My points
# ---------------------------------------------------------------------------------------------


def account_summary(user: User, day: date | None = None) -> dict:
    """Balance, lifetime earnings and this period's totals (all regions) for ``user``."""
    day = day or china_today()
    account = db.session.scalar(select(PointsAccount).where(PointsAccount.user_id == user.id))
    keys = {period: period_key(period, day) for period in PERIODS}
    # Totals of the top-level region(s) hold everything the user earned anywhere.
    rows = db.session.execute(
        select(PointsTotal.period, PointsTotal.period_key, func.sum(PointsTotal.points))
        .join(Region, Region.id == PointsTotal.region_id)
        .where(
            PointsTotal.user_id == user.id,
            Region.level == "city",
            or_(
                *[
                    and_(PointsTotal.period == p, PointsTotal.period_key == k)
                    for p, k in keys.items()
                ]
            ),
        )
        .group_by(PointsTotal.period, PointsTotal.period_key)
    ).all()
    totals = {period: 0 for period in PERIODS}
    for period, _key, points in rows:
        totals[period] = int(points or 0)
    return {
        "balance": account.balance if account else 0,
        "earned": account.earned if account else 0,
        "totals": totals,
        "date": day,
    }


def ledger_query(user: User, source_type: str | None = None):
    """My ledger rows, newest first."""
    query = select(PointsEntry).where(PointsEntry.user_id == user.id)
    if source_type:
        query = query.where(PointsEntry.source_type == source_type)
    return query.order_by(PointsEntry.id.desc())


# ---------------------------------------------------------------------------------------------
# Manual adjustments
# ---------------------------------------------------------------------------------------------


def adjust(actor: User, data: dict) -> PointsAdjustment:
    """Grant or deduct points for a volunteer in the actor's scope, with a reason (audited)."""
    require_any(actor, POINTS_ADJUST)
    limit = current_app.config["POINTS_ADJUSTMENT_LIMIT"]
    amount = int(data["amount"])
    if amount == 0 or abs(amount) > limit:
        raise ValidationFailed(errors={"amount": [f"调整分值须为非零整数,绝对值不超过{limit}"]})
    volunteer = db.session.scalar(
        scoped(
            select(Volunteer).where(Volunteer.user_id == data["user_id"]),
            actor,
            POINTS_ADJUST,
            Volunteer.region_id,
        )
    )
    if volunteer is None:
        raise NotFound("未找到该志愿者", code="volunteer_not_found")
    if volunteer.user_id == actor.id:
        raise Conflict("不能调整自己的积分", code="self_adjustment")
    if volunteer.user is None or volunteer.user.status != "active":
        raise Conflict("该用户已停用或注销", code="user_inactive")
    if amount < 0:
        # Lock the balance row (MySQL; SQLite serialises writers) so two deductions cannot both
        # pass the check and overdraw.
        _ensure_account(volunteer.user_id)
        balance = db.session.scalar(
            select(PointsAccount.balance)
            .where(PointsAccount.user_id == volunteer.user_id)
            .with_for_update()
        )
        if (balance or 0) + amount < 0:
            raise InsufficientPoints(errors={"amount": [f"当前余额 {balance or 0} 分"]})
    adjustment = PointsAdjustment(
        user_id=volunteer.user_id,
        amount=amount,
        reason=data["reason"][:200],
        region_id=volunteer.region_id,
        actor_id=actor.id,
    )
    db.session.add(adjustment)
    db.session.flush()
    grant(
        volunteer.user_id,
        amount,
        "adjustment",
        adjustment.id,
        reason=adjustment.reason,
        region_id=volunteer.region_id,
        actor_id=actor.id,
    )
    audit.record(
        actor,
        "points.adjust",
        adjustment,
        reason=adjustment.reason,
        after={"user_id": adjustment.user_id, "amount": amount},
    )
    return adjustment


def adjustments_query(actor: User, user_id: int | None = None):
    """Adjustments made in the actor's scope, newest first."""
    require_any(actor, POINTS_ADJUST)
    query = scoped(select(PointsAdjustment), actor, POINTS_ADJUST, PointsAdjustment.region_id)
    if user_id:
        query = query.where(PointsAdjustment.user_id == user_id)
    return query.order_by(PointsAdjustment.id.desc())


def get_adjustment(actor: User, adjustment_id: int) -> PointsAdjustment:
    require_any(actor, POINTS_ADJUST)
    return get_scoped(
        PointsAdjustment, adjustment_id, actor, POINTS_ADJUST, PointsAdjustment.region_id
    )


# ---------------------------------------------------------------------------------------------
# Yearly expiry
# ---------------------------------------------------------------------------------------------


def expire_points(today: date | None = None) -> dict:
    """Expire points older than the kept years (oldest first), once per China year.

    With ``POINTS_EXPIRY_KEEP_YEARS = N``, on 1 January of year Y every point earned before
    1 January of Y−N that is still in the balance expires. Deductions are taken from the oldest
    points first, so what remains of old points is ``balance − points earned since the cut``.
    One ``expiry`` entry per user and year (its unique key makes a rerun harmless).
    """
    if not current_app.config["POINTS_EXPIRY_ENABLED"]:
        return {"enabled": False, "expired_users": 0, "expired_points": 0}
    today = today or china_today()
    keep = current_app.config["POINTS_EXPIRY_KEEP_YEARS"]
    cut = china_midnight_utc(date(today.year - keep, 1, 1))
    recent = (
        select(
            PointsEntry.user_id.label("user_id"),
            func.sum(PointsEntry.amount).label("recent"),
        )
        .where(
            PointsEntry.amount > 0,
            PointsEntry.created_at >= cut,
            PointsEntry.source_type != "expiry",
        )
        .group_by(PointsEntry.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(PointsAccount.user_id, PointsAccount.balance, func.coalesce(recent.c.recent, 0))
        .outerjoin(recent, recent.c.user_id == PointsAccount.user_id)
        .where(PointsAccount.balance > func.coalesce(recent.c.recent, 0))
        .order_by(PointsAccount.user_id)
    ).all()
    users = points = 0
    for user_id, balance, recent_points in rows:
        amount = int(balance) - int(recent_points)
        try:
            grant(
                user_id,
                -amount,
                "expiry",
                str(today.year),
                reason=f"{today.year - keep - 1}年及以前获得的积分到期",
            )
        except AlreadyGranted:
            continue  # a second scheduler got there first
        users += 1
        points += amount
    return {"enabled": True, "expired_users": users, "expired_points": points}


# ---------------------------------------------------------------------------------------------
# Consistency check (flask ledger check)
# ---------------------------------------------------------------------------------------------


def check_points(batch_users: int = 2000, max_problems: int = 50) -> list[str]:
    """Recompute balances and period totals from the entries; return the differences found.

    Works in batches of users so that memory stays bounded on a large ledger.
    """
    problems: list[str] = []

    def note(message: str) -> bool:
        problems.append(message)
        return len(problems) >= max_problems

    # Balances: one GROUP BY against the accounts.
    sums = {
        user_id: (int(balance or 0), int(earned or 0))
        for user_id, balance, earned in db.session.execute(
            select(
                PointsEntry.user_id,
                func.sum(PointsEntry.amount),
                func.sum(case((PointsEntry.amount > 0, PointsEntry.amount), else_=0)),
            ).group_by(PointsEntry.user_id)
        )
    }
    accounts = {
        user_id: (balance, earned)
        for user_id, balance, earned in db.session.execute(
            select(PointsAccount.user_id, PointsAccount.balance, PointsAccount.earned)
        )
    }
    for user_id in sorted(set(sums) | set(accounts)):
        expected = sums.get(user_id, (0, 0))
        found = accounts.get(user_id, (0, 0))
        if expected != found and note(
            f"points: user {user_id} balance/earned {found} but ledger sums to {expected}"
        ):
            return problems

    # Period totals, user batch by user batch.
    rollup: dict[int, list[int]] = {}
    levels = dict(db.session.execute(select(Region.id, Region.level)).all())
    paths = dict(db.session.execute(select(Region.id, Region.path)).all())
    for rid, path in paths.items():
        ids = [int(p) for p in path.strip("/").split("/") if p]
        rollup[rid] = sorted(i for i in ids if levels.get(i) in TOTAL_LEVELS)
    user_ids = sorted(
        set(db.session.scalars(select(PointsEntry.user_id).distinct()))
        | set(db.session.scalars(select(PointsTotal.user_id).distinct()))
    )
    for start in range(0, len(user_ids), batch_users):
        chunk = user_ids[start : start + batch_users]
        low, high = chunk[0], chunk[-1]
        expected: dict[tuple, list] = defaultdict(lambda: [0, None])
        entries = db.session.execute(
            select(
                PointsEntry.user_id,
                PointsEntry.region_id,
                PointsEntry.amount,
                PointsEntry.created_at,
            ).where(
                PointsEntry.user_id.between(low, high),
                PointsEntry.region_id.is_not(None),
                PointsEntry.amount != 0,
                PointsEntry.source_type.not_in(SOURCES_OUTSIDE_TOTALS),
            )
        )
        for user_id, region_id, amount, created_at in entries:
            keys = period_keys(created_at)
            for rid in rollup.get(region_id, []):
                for period, key in keys.items():
                    cell = expected[(rid, period, key, user_id)]
                    cell[0] += amount
                    if cell[1] is None or created_at > cell[1]:
                        cell[1] = created_at
        stored = db.session.execute(
            select(
                PointsTotal.region_id,
                PointsTotal.period,
                PointsTotal.period_key,
                PointsTotal.user_id,
                PointsTotal.points,
                PointsTotal.reached_at,
            ).where(PointsTotal.user_id.between(low, high))
        )
        seen = set()
        for rid, period, key, user_id, points, reached_at in stored:
            bucket = (rid, period, key, user_id)
            seen.add(bucket)
            want = expected.get(bucket)
            if want is None:
                if note(f"points: total {bucket} = {points} has no ledger entries"):
                    return problems
            elif want[0] != points or _micros(want[1]) != _micros(reached_at):
                if note(
                    f"points: total {bucket} = {points} (reached {reached_at}) but ledger gives"
                    f" {want[0]} (reached {want[1]})"
                ):
                    return problems
        for bucket in expected.keys() - seen:
            if note(f"points: total {bucket} missing; ledger gives {expected[bucket][0]}"):
                return problems
    return problems


def _micros(moment: datetime | None) -> datetime | None:
    # SQLite keeps microseconds, MySQL DATETIME(6) too; compare without tz noise.
    return moment.replace(tzinfo=None) if moment is not None else None
