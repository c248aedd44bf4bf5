"""Bulletins (通报) of the cadence 日评优、周调度、月通报、季约谈、年考评, and talk outcomes.

A bulletin is unique per kind, region and period: :func:`publish` writes it once and announces it
to the admins concerned (``bulletin_published``); a second run of the same job finds it and
publishes nothing. Content is JSON whose shape depends on the kind:

- ``daily_best``: ``{"date", "region": {...}, "entries": [{"rank", "user_id", "display_name",
  "village_id", "village_name", "points"}]}``
- ``quarterly_talks``: ``{"subjects": [{"type": "village"|"grid_worker", "id", "name",
  "region_id", ...figures}]}`` — admins record each talk's outcome (:func:`record_talk`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import Bulletin, Region, RoleGrant, TalkOutcome, User
from backend.models.bulletin import BULLETIN_KIND_NAMES, BULLETIN_PERIODS
from backend.models.types import utcnow
from backend.permissions import covers, region_filter, require_any, scoped
from backend.services import audit, content, notifications
from backend.services.leaderboards import top_rows
from backend.services.periods import (
    CHINA_TZ,
    china_midnight_utc,
    china_today,
    period_key,
    period_label,
)
from backend.services.regions import get_region

TALK_PERMISSION = "bulletin.talk"


class TalkSubjectNotListed(ValidationFailed):
    code, message = "talk_subject_not_listed", "该对象不在本期约谈名单中"


def publish(
    kind: str,
    region: Region,
    day: date,
    *,
    title: str,
    summary: str,
    content_json: dict,
    announce_to: Iterable[int] = (),
) -> Bulletin | None:
    """Store and announce the bulletin of ``kind`` for ``region`` and the period of ``day``.

    Returns ``None`` when it was published already (by an earlier or a concurrent run).
    """
    period = BULLETIN_PERIODS[kind]
    key = period_key(period, day)
    if _find(kind, region.id, key) is not None:
        return None
    now = utcnow()
    bulletin = Bulletin(
        kind=kind,
        region_id=region.id,
        period=period,
        period_key=key,
        title=title[:100],
        summary=summary[:500],
        content=content_json,
        published_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(bulletin)
            db.session.flush()
    except IntegrityError:
        return None  # a concurrent run published it
    published = now.astimezone(CHINA_TZ).isoformat(timespec="seconds")
    for user_id in sorted(set(announce_to)):
        notifications.enqueue(
            "bulletin_published",
            user_id,
            dedupe_key=f"bulletin:{bulletin.id}:{user_id}",
            title=f"{BULLETIN_KIND_NAMES[kind]}:{bulletin.title}"[:100],
            body=bulletin.summary,
            fields={
                "title": bulletin.title,
                "period": period_label(period, day),
                "published_at": published,
            },
            page=f"pages/recognition/bulletin/index?id={bulletin.id}",
        )
    return bulletin


def _find(kind: str, region_id: int, key: str) -> Bulletin | None:
    return db.session.scalar(
        select(Bulletin).where(
            Bulletin.kind == kind, Bulletin.region_id == region_id, Bulletin.period_key == key
        )
    )


def admins_at(region_ids: Iterable[int], roles: Iterable[str]) -> list[int]:
    """Users holding one of ``roles`` granted exactly at one of ``region_ids`` (active only)."""
    ids = list(set(region_ids))
    if not ids:
        return []
    return sorted(
        db.session.scalars(
            select(RoleGrant.user_id)
            .join(User, User.id == RoleGrant.user_id)
            .where(
                RoleGrant.region_id.in_(ids),
                RoleGrant.role.in_(list(roles)),
                User.status == "active",
            )
            .distinct()
        )
    )


def list_query(
    kind: str | None = None,
    region_id: int | None = None,
    period_key_value: str | None = None,
    since: date | None = None,
    until: date | None = None,
):
    """Published bulletins, newest first; ``region_id`` includes the region's descendants."""
    query = select(Bulletin)
    if kind:
        query = query.where(Bulletin.kind == kind)
    if region_id:
        region = get_region(region_id)
        query = query.where(region_filter([region.path], Bulletin.region_id))
    if period_key_value:
        query = query.where(Bulletin.period_key == period_key_value)
    if since:
        query = query.where(Bulletin.published_at >= china_midnight_utc(since))
    if until:
        query = query.where(Bulletin.published_at < china_midnight_utc(until + timedelta(days=1)))
    return query.order_by(Bulletin.published_at.desc(), Bulletin.id.desc())


def get(bulletin_id: int) -> Bulletin:
    bulletin = db.session.get(Bulletin, bulletin_id)
    if bulletin is None:
        raise NotFound("通报不存在", code="bulletin_not_found")
    return bulletin


# ---------------------------------------------------------------------------------------------
# 日评优: the day's top point earners per township
# ---------------------------------------------------------------------------------------------


def publish_daily_best(day: date | None = None) -> dict:
    """Publish yesterday's (or ``day``'s) 日评优 for every township that earned points."""
    day = day or china_today() - timedelta(days=1)
    top = current_app.config["BULLETIN_DAILY_BEST_TOP"]
    key = period_key("day", day)
    label = period_label("day", day)
    published = skipped = 0
    townships = db.session.scalars(
        select(Region).where(Region.level == "township").order_by(Region.id)
    ).all()
    for township in townships:
        if _find("daily_best", township.id, key) is not None:
            skipped += 1
            continue
        entries = top_rows(township.id, "day", key, top)
        if not entries:
            continue
        for entry in entries:
            entry.pop("reached_at", None)
        leader = entries[0]
        bulletin = publish(
            "daily_best",
            township,
            day,
            title=f"{township.name}{label}日评优",
            summary=(
                f"{label}{township.name}积分前{len(entries)}名:"
                + "、".join(f"{e['display_name']}({e['points']}分)" for e in entries[:3])
                + ("等" if len(entries) > 3 else "")
            ),
            content_json={
                "date": day.isoformat(),
                "region": {"id": township.id, "name": township.name},
                "entries": entries,
                "leader": {"display_name": leader["display_name"], "points": leader["points"]},
            },
            announce_to=admins_at([township.id], ["township_admin"])
            + admins_at({e["village_id"] for e in entries if e["village_id"]}, ["village_admin"]),
        )
        if bulletin is None:
            skipped += 1
        else:
            published += 1
    return {"date": key, "published": published, "skipped": skipped}


# ---------------------------------------------------------------------------------------------
# 季约谈: outcomes of the talks
# ---------------------------------------------------------------------------------------------


def _listed_subject(bulletin: Bulletin, subject_type: str, subject_id: int) -> dict:
    for subject in (bulletin.content or {}).get("subjects", []):
        if subject.get("type") == subject_type and subject.get("id") == subject_id:
            return subject
    raise TalkSubjectNotListed(errors={"subject_id": ["该对象不在本期约谈名单中"]})


def record_talk(actor: User, bulletin_id: int, data: dict) -> TalkOutcome:
    """Record (or correct) the outcome of a talk with a village or grid worker on the list."""
    paths = require_any(actor, TALK_PERMISSION)
    bulletin = get(bulletin_id)
    if bulletin.kind != "quarterly_talks":
        raise ValidationFailed("只有季度约谈名单可以记录约谈结果", code="not_a_talk_list")
    subject = _listed_subject(bulletin, data["subject_type"], data["subject_id"])
    region = get_region(subject["region_id"])
    if not covers(paths, region):
        raise NotFound("该约谈对象不在您的管辖范围", code="talk_subject_not_found")
    if content.check_text(actor, data["outcome"]) != "pass":
        raise ValidationFailed(
            "约谈结果需人工审核,请修改后再提交",
            code="content_under_review",
            errors={"outcome": ["内容需人工审核"]},
        )
    talked_at: datetime = data.get("talked_at") or utcnow()
    talk = db.session.scalar(
        select(TalkOutcome).where(
            TalkOutcome.bulletin_id == bulletin.id,
            TalkOutcome.subject_type == data["subject_type"],
            TalkOutcome.subject_id == data["subject_id"],
        )
    )
    before = audit.snapshot(talk, "outcome", "talked_at") if talk is not None else None
    if talk is None:
        talk = TalkOutcome(
            bulletin_id=bulletin.id,
            subject_type=data["subject_type"],
            subject_id=data["subject_id"],
            subject_name=str(subject.get("name", ""))[:64],
            region_id=region.id,
            talked_at=talked_at,
            outcome=data["outcome"],
            recorded_by_id=actor.id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(talk)
                db.session.flush()
        except IntegrityError:
            raise Conflict("约谈结果正在被他人记录,请刷新后重试", code="talk_conflict") from None
    else:
        talk.outcome = data["outcome"]
        talk.talked_at = talked_at
        talk.recorded_by_id = actor.id
        talk.updated_at = utcnow()
    audit.record(
        actor,
        "bulletin.talk",
        talk,
        before=before,
        after=audit.snapshot(talk, "outcome", "talked_at"),
    )
    db.session.flush()
    return talk


def talks_query(actor: User, bulletin_id: int):
    """Recorded talk outcomes of a bulletin inside the actor's scope."""
    require_any(actor, TALK_PERMISSION)
    get(bulletin_id)
    return scoped(
        select(TalkOutcome).where(TalkOutcome.bulletin_id == bulletin_id),
        actor,
        TALK_PERMISSION,
        TalkOutcome.region_id,
    ).order_by(TalkOutcome.id)
