"""Demo activities for ``flask seed activities`` (after ``flask seed demo``): a few published
activities in the demo villages, starting over the coming days, so the list, enrollment and
check-in screens have something to show. Written directly: seed text is trusted, and the WeChat
content checker is not reachable while seeding."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.models import Activity, Region, Team, User
from backend.utils import CHINA_TZ, china_today, utcnow

# (days from today, China start hour, hours, category, title, description, village code,
#  organiser login, capacity, points per hour)
DEMO_ACTIVITIES = [
    (
        1,
        19,
        2,
        "patrol",
        "龙津社区夜间治安巡逻",
        "沿滨江路、龙津市场一带巡逻,提醒商户关好门窗、注意用电安全。",
        "360981001001",
        "demo-village-admin",
        12,
        10,
    ),
    (
        2,
        9,
        3,
        "publicity",
        "防范电信网络诈骗宣传进社区",
        "在社区广场设点发放防诈骗宣传册,现场讲解常见诈骗手法。",
        "360981001001",
        "demo-village-admin",
        20,
        8,
    ),
    (
        3,
        14,
        2,
        "safety_check",
        "白土村汛前安全隐患排查",
        "检查沿河住户房屋、低洼地带排水,登记隐患点位。",
        "360981101001",
        "demo-village-admin-2",
        10,
        12,
    ),
    (
        5,
        9,
        4,
        "convenience",
        "便民服务日:义诊与家电维修",
        "为老年人提供量血压、家电小维修等便民服务。",
        "360981001002",
        "demo-township-admin",
        None,
        6,
    ),
]
COORDINATES = {
    "360981001001": (28.1921, 115.7763),
    "360981001002": (28.1987, 115.7705),
    "360981101001": (28.0569, 115.9016),
}


def seed_demo_activities() -> int:
    """Add the demo activities unless they are there; return how many were written."""
    if db.session.scalar(select(Activity.id).where(Activity.title == DEMO_ACTIVITIES[0][4])):
        return 0
    today = china_today()
    written = 0
    for (
        days,
        hour,
        hours,
        category,
        title,
        description,
        code,
        login,
        capacity,
        points,
    ) in DEMO_ACTIVITIES:
        region = db.session.scalar(select(Region).where(Region.code == code))
        organiser = db.session.scalar(select(User).where(User.openid == f"sandbox-{login}"))
        if region is None or organiser is None:
            continue  # the demo county is not loaded
        team = db.session.scalar(select(Team).where(Team.region_id == region.id))
        start = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=CHINA_TZ)
        db.session.add(
            demo_activity(
                organiser,
                region,
                team,
                title=title,
                description=description,
                category=category,
                start=start,
                hours=hours,
                capacity=capacity,
                points_mode="per_hour",
                points=points,
                enroll_deadline=start - timedelta(hours=2),
                published_at=utcnow(),
            )
        )
        written += 1
    db.session.flush()
    return written


def demo_activity(
    organiser: User,
    region: Region,
    team: Team | None,
    *,
    title: str,
    description: str,
    category: str,
    start: datetime,
    hours: int,
    capacity: int | None,
    points_mode: str,
    points: int,
    enroll_deadline: datetime,
    published_at: datetime,
) -> Activity:
    """A published demo activity at the region's service centre (seed text is trusted)."""
    lat, lng = COORDINATES[region.code]
    return Activity(
        region_id=region.id,
        organiser_id=organiser.id,
        team_id=team.id if team else None,
        title=title,
        description=description,
        category=category,
        start_at=start,
        end_at=start + timedelta(hours=hours),
        enroll_deadline=enroll_deadline,
        place_name=f"{region.name}党群服务中心",
        latitude=lat,
        longitude=lng,
        checkin_radius_m=300,
        checkin_open_minutes=30,
        capacity=capacity,
        enrolled_count=0,
        waitlist_enabled=capacity is not None,
        waitlist_seq=0,
        required_skills=[],
        points_mode=points_mode,
        points_value=points,
        counts_as_duty=category == "patrol",
        cover_url="",
        status="published",
        content_status="pass",
        checkin_secret=secrets.token_hex(32),
        published_at=published_at,
    )
