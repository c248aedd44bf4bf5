"""Bulletins (通报) of the cadence 日评优、周调度、月通报、季约谈、年考评, and talk outcomes.

A bulletin is unique per kind, region and period: :func:`publish` writes it once and announces it
to the admins concerned (``bulletin_published``); a second run of the same job finds it and
publishes nothing. Content is JSON whose shape depends on the kind:

- ``daily_best``: ``{"date", "region": {...}, "entries": [{"rank", "user_id", "display_name",
  "village_id", "village_name", "points"}]}``
- ``weekly_dispatch`` (per village): ``{"week", "region", "counts": {"open", "overdue",
  "unaccepted", "by_tier"}, "last_week": {"period_key", "received", "resolved"}, "requests":
  [{"id", "category_name", "status_name", "tier_name", "age_hours", "deadline", "overdue", …}]}``
- ``monthly`` and ``annual`` (per township and the city): ``{"period_key", "period_label",
  "region", "figures": {...}, "points_ranking": [...], "village_ranking": [...],
  "grid_worker_ranking": [...], "trend": [{"month", ...figures}], "charts": [{"kind", "title",
  "url"}]}`` — the charts are PNGs in the upload storage (services.charts)
- ``quarterly_talks`` (per township): ``{"subjects": [{"type": "village"|"grid_worker", "id",
  "name", "region_id", "score", ...figures}]}`` — the lowest scorecard scores of the quarter;
  admins record each talk's outcome (:func:`record_talk`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backend.errors import Conflict, ContentUnderReview, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import Bulletin, Region, RoleGrant, TalkOutcome, User
from backend.models.bulletin import BULLETIN_KIND_NAMES, BULLETIN_PERIODS
from backend.permissions import BULLETIN_TALK, covers, region_filter, require_any, scoped
from backend.services import audit, content, notifications
from backend.services.leaderboards import top_rows
from backend.services.periods import period_key, period_label
from backend.services.regions import get_region
from backend.utils import china_iso, china_midnight_utc, china_today, utcnow


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
    published = china_iso(now)
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


def chart(bulletin_id: int, index: int) -> tuple[bytes, str]:
    """The bytes of one chart of a published bulletin: public, like the bulletin itself."""
    from backend.services import uploads
    from backend.services.storage import key_from_url

    charts = (get(bulletin_id).content or {}).get("charts") or []
    key = key_from_url(charts[index].get("url", "")) if 0 <= index < len(charts) else None
    if key is None:
        raise NotFound("图表不存在", code="chart_not_found")
    return uploads.read(key)


def public_chart_url(bulletin_id: int, index: int) -> str:
    return f"/api/v1/bulletins/{bulletin_id}/charts/{index}"


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
    paths = require_any(actor, BULLETIN_TALK)
    bulletin = get(bulletin_id)
    if bulletin.kind != "quarterly_talks":
        raise ValidationFailed("只有季度约谈名单可以记录约谈结果", code="not_a_talk_list")
    subject = _listed_subject(bulletin, data["subject_type"], data["subject_id"])
    region = get_region(subject["region_id"])
    if not covers(paths, region):
        raise NotFound("该约谈对象不在您的管辖范围", code="talk_subject_not_found")
    if content.check_text(actor, data["outcome"]) != "pass":
        raise ContentUnderReview(
            "约谈结果需人工审核,请修改后再提交",
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
    require_any(actor, BULLETIN_TALK)
    get(bulletin_id)
    return scoped(
        select(TalkOutcome).where(TalkOutcome.bulletin_id == bulletin_id),
        actor,
        BULLETIN_TALK,
        TalkOutcome.region_id,
    ).order_by(TalkOutcome.id)


# ---------------------------------------------------------------------------------------------
# 周调度: open and overdue requests of each village
# ---------------------------------------------------------------------------------------------


def _village_and_grids(village_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each village id with the ids of its grids (where its grid workers hold their roles)."""
    ids = list(village_ids)
    found: dict[int, list[int]] = {village_id: [village_id] for village_id in ids}
    if ids:
        for grid_id, parent_id in db.session.execute(
            select(Region.id, Region.parent_id).where(Region.parent_id.in_(ids))
        ):
            found[parent_id].append(grid_id)
    return found


def publish_weekly_dispatch(day: date | None = None) -> dict:
    """Publish this week's 周调度 for every village with open requests or last week's traffic."""
    from backend.models import ServiceRequest
    from backend.models.service_request import (
        CATEGORY_NAMES,
        OPEN,
        STATUS_NAMES,
        TIER_NAMES,
        UNACCEPTED,
        URGENCY_NAMES,
    )
    from backend.services.scorecards import Window

    day = day or china_today()
    key = period_key("week", day)
    label = period_label("week", day)
    now = utcnow()
    last_week = Window("week", day - timedelta(days=7))
    done = set(
        db.session.scalars(
            select(Bulletin.region_id).where(
                Bulletin.kind == "weekly_dispatch", Bulletin.period_key == key
            )
        )
    )
    open_rows: dict[int, list] = {}
    for row in db.session.execute(
        select(
            ServiceRequest.id,
            ServiceRequest.village_id,
            ServiceRequest.category,
            ServiceRequest.urgency,
            ServiceRequest.status,
            ServiceRequest.tier,
            ServiceRequest.created_at,
            ServiceRequest.accept_due_at,
            ServiceRequest.resolve_due_at,
        )
        .where(ServiceRequest.status.in_(OPEN))
        .order_by(ServiceRequest.created_at, ServiceRequest.id)
    ):
        open_rows.setdefault(row.village_id, []).append(row)
    traffic: dict[int, dict] = {}
    for village_id, received in db.session.execute(
        select(ServiceRequest.village_id, func.count())
        .where(last_week.within(ServiceRequest.created_at))
        .group_by(ServiceRequest.village_id)
    ):
        traffic.setdefault(village_id, {"received": 0, "resolved": 0})["received"] = received
    for village_id, resolved in db.session.execute(
        select(ServiceRequest.village_id, func.count())
        .where(
            ServiceRequest.status.in_(("resolved", "closed")),
            last_week.within(ServiceRequest.resolved_at),
        )
        .group_by(ServiceRequest.village_id)
    ):
        traffic.setdefault(village_id, {"received": 0, "resolved": 0})["resolved"] = resolved
    wanted = (set(open_rows) | set(traffic)) - done
    villages = db.session.scalars(
        select(Region).where(Region.id.in_(wanted), Region.level == "village").order_by(Region.id)
    ).all()
    subtree = _village_and_grids(v.id for v in villages)
    published = 0
    for village in villages:
        items = []
        for row in open_rows.get(village.id, []):
            unaccepted = row.status in UNACCEPTED
            deadline = row.accept_due_at if unaccepted else row.resolve_due_at
            overdue = deadline is not None and deadline < now
            items.append(
                {
                    "id": row.id,
                    "category": row.category,
                    "category_name": CATEGORY_NAMES.get(row.category, row.category),
                    "urgency_name": URGENCY_NAMES.get(row.urgency, row.urgency),
                    "status": row.status,
                    "status_name": STATUS_NAMES.get(row.status, row.status),
                    "tier": row.tier,
                    "tier_name": TIER_NAMES.get(row.tier, row.tier),
                    "created_at": china_iso(row.created_at),
                    "age_hours": round((now - row.created_at).total_seconds() / 3600, 1),
                    "deadline": (china_iso(deadline) if deadline else None),
                    "overdue": overdue,
                }
            )
        # Overdue first, then the oldest: what the dispatch meeting takes up first.
        items.sort(key=lambda item: (not item["overdue"], -item["age_hours"], item["id"]))
        overdue_count = sum(1 for item in items if item["overdue"])
        by_tier = {tier: sum(1 for i in items if i["tier"] == tier) for tier in TIER_NAMES}
        figures = traffic.get(village.id, {"received": 0, "resolved": 0})
        bulletin = publish(
            "weekly_dispatch",
            village,
            day,
            title=f"{village.name}{label}周调度",
            summary=(
                f"在办请求{len(items)}件,其中超期{overdue_count}件;"
                f"上周新收{figures['received']}件、办结{figures['resolved']}件"
            ),
            content_json={
                "week": key,
                "region": {"id": village.id, "name": village.name},
                "counts": {
                    "open": len(items),
                    "overdue": overdue_count,
                    "unaccepted": sum(1 for i in items if i["status"] in UNACCEPTED),
                    "by_tier": by_tier,
                },
                "last_week": {"period_key": last_week.key, **figures},
                "requests": items[:200],
            },
            announce_to=admins_at([village.id], ["village_admin"])
            + admins_at(subtree[village.id], ["grid_worker"]),
        )
        if bulletin is not None:
            published += 1
    return {"week": key, "published": published, "skipped": len(done)}


# ---------------------------------------------------------------------------------------------
# 月通报 and 年考评: rankings, key figures and charts per township and for the city
# ---------------------------------------------------------------------------------------------


def _month_days(last: date, count: int) -> list[date]:
    """The first days of the ``count`` months ending with ``last``'s month, oldest first."""
    index = last.year * 12 + last.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def _report(kind: str, region: Region, day: date) -> Bulletin | None:
    """Build, chart and publish the 月通报 (kind="monthly") or 年考评 (kind="annual")."""
    from backend.services import charts, scorecards
    from backend.services.scorecards import Window

    period = BULLETIN_PERIODS[kind]
    window = Window(period, day)
    config = current_app.config
    top = config["BULLETIN_RANKING_TOP"]
    figures = scorecards.region_figures(region, window)
    ranking = top_rows(region.id, period, window.key, top)
    for entry in ranking:
        entry.pop("reached_at", None)
    villages = scorecards.rows_for("village", region, window, 10_000)
    villages.sort(key=lambda r: (-(r["score"] if r["score"] is not None else -1), r["id"]))
    village_ranking = [
        {
            "rank": rank,
            "id": row["id"],
            "name": row["name"],
            "township": row["township_name"],
            **{
                k: row[k]
                for k in (
                    "score",
                    "active_volunteers",
                    "activities_held",
                    "requests_resolved",
                    "on_time_rate",
                    "satisfaction",
                    "fund_transparency",
                )
            },
        }
        for rank, row in enumerate(villages, start=1)
    ]
    workers = [r for r in scorecards.rows_for("grid_worker", region, window, 10_000) if r["score"]]
    workers.sort(key=lambda r: (-r["score"], -r["requests_handled"], r["user_id"]))
    worker_ranking = [
        {
            "rank": rank,
            "user_id": row["user_id"],
            "name": row["name"],
            "region_name": row["region_name"],
            "score": row["score"],
            "requests_handled": row["requests_handled"],
            "on_time_rate": row["on_time_rate"],
            "satisfaction": row["satisfaction"],
        }
        for rank, row in enumerate(workers[:top], start=1)
    ]
    if kind == "annual":
        months = _month_days(date(day.year, 12, 1), 12)
    else:
        months = _month_days(day, config["BULLETIN_TREND_MONTHS"])
    trend = []
    for month in months:
        month_figures = scorecards.region_figures(region, Window("month", month))
        trend.append({"month": period_key("month", month), **month_figures})

    label = window.label
    chart_list = []
    if ranking:
        chart_list.append(
            {
                "kind": "points_ranking",
                "title": f"{label}积分排行(前{len(ranking)}名)",
                "url": charts.store_png(
                    charts.bar_chart(
                        f"{region.name}{label}积分排行",
                        [e["display_name"] for e in ranking],
                        [e["points"] for e in ranking],
                        "积分",
                    )
                ),
            }
        )
    # Only villages that scored something are charted and can be "the highest-scoring": when
    # every village scored 0, nobody stands out.
    scored = [v for v in village_ranking if v["score"]][: max(top, 15)]
    if scored:
        chart_list.append(
            {
                "kind": "village_ranking",
                "title": f"{label}村(社区)综合得分",
                "url": charts.store_png(
                    charts.bar_chart(
                        f"{region.name}{label}村(社区)综合得分",
                        [v["name"] for v in scored],
                        [v["score"] for v in scored],
                        "综合得分(0–100)",
                    )
                ),
            }
        )
    chart_list.append(
        {
            "kind": "trend",
            "title": "近期走势",
            "url": charts.store_png(
                charts.line_chart(
                    f"{region.name}月度走势",
                    [f"{m.month}月" for m in months],
                    {
                        "服务时长(小时)": [t["service_hours"] for t in trend],
                        "办结请求(件)": [t["requests_resolved"] for t in trend],
                        "开展活动(次)": [t["activities_held"] for t in trend],
                    },
                    "数量",
                )
            ),
        }
    )
    name = "月通报" if kind == "monthly" else "年度考评"
    leader = f",积分第一名{ranking[0]['display_name']}({ranking[0]['points']}分)" if ranking else ""
    best = f",综合得分最高的村(社区)为{scored[0]['name']}" if scored else ""
    summary = (
        f"{label}{region.name}开展活动{figures['activities_held']}次,志愿服务"
        f"{figures['service_hours']}小时,办结服务请求{figures['requests_resolved']}件"
        f"{leader}{best}。"
    )
    if region.level == "city":
        announce = admins_at([region.id], ["city_admin"]) + admins_at(
            [r.id for r in db.session.scalars(select(Region).where(Region.parent_id == region.id))],
            ["township_admin"],
        )
    else:
        announce = admins_at([region.id], ["township_admin"]) + admins_at(
            [v["id"] for v in village_ranking], ["village_admin"]
        )
    return publish(
        kind,
        region,
        day,
        title=f"{region.name}{label}{name}",
        summary=summary,
        content_json={
            "period_key": window.key,
            "period_label": label,
            "region": {"id": region.id, "name": region.name, "level": region.level},
            "figures": figures,
            "points_ranking": ranking,
            "village_ranking": village_ranking,
            "grid_worker_ranking": worker_ranking,
            "trend": trend,
            "charts": chart_list,
        },
        announce_to=announce,
    )


def _report_regions() -> list[Region]:
    return list(
        db.session.scalars(
            select(Region)
            .where(Region.level.in_(("city", "township")))
            .order_by(Region.path, Region.id)
        )
    )


def _publish_reports(kind: str, day: date) -> dict:
    key = period_key(BULLETIN_PERIODS[kind], day)
    published = skipped = 0
    for region in _report_regions():
        # Checked before building: charts are not drawn (nor stored) for a bulletin that exists.
        if _find(kind, region.id, key) is not None or _report(kind, region, day) is None:
            skipped += 1
        else:
            published += 1
    return {"period": key, "published": published, "skipped": skipped}


def publish_monthly(day: date | None = None) -> dict:
    """Publish last month's (or ``day``'s month's) 月通报 for each township and the city."""
    if day is None:
        day = china_today().replace(day=1) - timedelta(days=1)
    return _publish_reports("monthly", day)


def publish_annual(day: date | None = None) -> dict:
    """Publish last year's (or ``day``'s year's) 年考评 for each township and the city."""
    if day is None:
        day = date(china_today().year - 1, 12, 31)
    return _publish_reports("annual", day)


# ---------------------------------------------------------------------------------------------
# 季约谈: the lowest-scoring villages and grid workers of each township
# ---------------------------------------------------------------------------------------------


def publish_quarterly_talks(day: date | None = None) -> dict:
    """Publish last quarter's (or ``day``'s quarter's) talk list for every township."""
    from backend.services import scorecards
    from backend.services.scorecards import Window

    if day is None:
        today = china_today()
        day = date(today.year, (today.month - 1) // 3 * 3 + 1, 1) - timedelta(days=1)
    window = Window("quarter", day)
    config = current_app.config
    published = skipped = 0
    townships = db.session.scalars(
        select(Region).where(Region.level == "township").order_by(Region.path, Region.id)
    ).all()
    city_admins = admins_at(
        {t.parent_id for t in townships if t.parent_id is not None}, ["city_admin"]
    )
    for township in townships:
        if _find("quarterly_talks", township.id, window.key) is not None:
            skipped += 1
            continue
        villages = scorecards.rows_for("village", township, window, 10_000)
        villages.sort(key=lambda r: (r["score"] if r["score"] is not None else 0, r["id"]))
        workers = [
            r
            for r in scorecards.rows_for("grid_worker", township, window, 10_000)
            if r["score"] is not None
        ]
        workers.sort(key=lambda r: (r["score"], -r["overdue"], r["user_id"]))
        subjects = [
            {
                "type": "village",
                "id": row["id"],
                "name": row["name"],
                "region_id": row["id"],
                "score": row["score"],
                "participation_rate": row["participation_rate"],
                "on_time_rate": row["on_time_rate"],
                "satisfaction": row["satisfaction"],
                "fund_transparency": row["fund_transparency"],
            }
            for row in villages[: config["BULLETIN_TALK_VILLAGES"]]
        ] + [
            {
                "type": "grid_worker",
                "id": row["user_id"],
                "name": row["name"],
                "region_id": row["region_id"],
                "region_name": row["region_name"],
                "score": row["score"],
                "requests_handled": row["requests_handled"],
                "overdue": row["overdue"],
                "on_time_rate": row["on_time_rate"],
                "satisfaction": row["satisfaction"],
            }
            for row in workers[: config["BULLETIN_TALK_GRID_WORKERS"]]
        ]
        if not subjects:
            continue
        listed_villages = [s["id"] for s in subjects if s["type"] == "village"]
        listed_workers = [s["id"] for s in subjects if s["type"] == "grid_worker"]
        bulletin = publish(
            "quarterly_talks",
            township,
            day,
            title=f"{township.name}{window.label}约谈名单",
            summary=(
                "综合得分靠后、需约谈的:"
                + "、".join(f"{s['name']}({s['score']}分)" for s in subjects[:6])
            ),
            content_json={
                "period_key": window.key,
                "period_label": window.label,
                "region": {"id": township.id, "name": township.name},
                "subjects": subjects,
            },
            announce_to=admins_at([township.id], ["township_admin"])
            + city_admins
            + admins_at(listed_villages, ["village_admin"])
            + listed_workers,
        )
        if bulletin is None:
            skipped += 1
        else:
            published += 1
    return {"quarter": window.key, "published": published, "skipped": skipped}
