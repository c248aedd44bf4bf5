"""Helpers shared by the activity tests: volunteers, activities and valid check-in codes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from backend.extensions import db
from backend.models import Activity, User, Volunteer
from backend.privacy import encrypt, mask_name

# 龙津社区's square (GCJ-02), and a point about 50 m away from it.
SITE = (28.192100, 115.776300)
NEAR = (28.192500, 115.776400)
FAR = (28.210000, 115.776300)  # ~2 km north

_seq = itertools.count(1)


def volunteer(region, *, name: str = "志愿者", skills=("巡防员",), status="approved") -> User:
    """A user with an approved volunteer record in ``region`` (committed)."""
    n = next(_seq)
    user = User(openid=f"sandbox-act-{n}-{id(region)}", nickname=f"{name}{n}", region_id=region.id)
    user.consent_version = "test"
    db.session.add(user)
    db.session.flush()
    real_name = f"张{name}{n}"
    record = Volunteer(
        user_id=user.id,
        number=f"PAT{n:07d}",
        real_name_enc=encrypt(real_name),
        display_name=mask_name(real_name),
        phone_enc=encrypt(f"1370000{n:04d}"),
        region_id=region.id,
        skills=list(skills),
        status=status,
    )
    db.session.add(record)
    db.session.commit()
    return user


def activity_body(region, start: datetime, **overrides) -> dict:
    body = {
        "title": "龙津社区夜间治安巡逻",
        "description": "沿滨江路巡逻,提醒居民关好门窗",
        "category": "patrol",
        "region_id": region.id,
        "start_at": start.isoformat(),
        "end_at": (start + timedelta(hours=2)).isoformat(),
        "place_name": "龙津社区广场",
        "latitude": SITE[0],
        "longitude": SITE[1],
        "checkin_radius_m": 300,
        "capacity": 10,
        "waitlist_enabled": True,
        "points_mode": "per_hour",
        "points_value": 10,
    }
    body.update(overrides)
    return body


def published(api, organiser, region, start: datetime, **overrides) -> dict:
    """Create and publish an activity through the API; returns its JSON."""
    created = api.post("/activities", organiser, json=activity_body(region, start, **overrides))
    assert created.status_code == 201, created.get_json()
    response = api.post(f"/activities/{created.get_json()['id']}/publish", organiser)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def code(activity_id: int, purpose: str = "checkin", at: datetime | None = None) -> str:
    """The valid code of ``activity_id`` at ``at`` (now by default), as the organiser sees it."""
    from backend.services.attendance import _window_of, code_for
    from backend.utils import utcnow

    activity = db.session.get(Activity, activity_id)
    return code_for(activity, purpose, _window_of(at or utcnow()))


def scan(code_value: str, point=NEAR) -> dict:
    return {"code": code_value, "latitude": point[0], "longitude": point[1]}


def china(year, month, day, hour=0, minute=0) -> datetime:
    """A China-time moment as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)
