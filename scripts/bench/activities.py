"""Activities benchmark (``make bench BENCH=activities``), on MariaDB under gunicorn.

Prints, measured in the same run: a bare Flask route's req/s (the ceiling), the public activity
list's req/s and the ratio; then a burst of 2,000 distinct volunteers checking in to one activity
(check-ins/s, p50/p99 latency, errors) and checking out again, and whether
check-ins = attendance rows = points rows = 2,000.

The 2,000 users, volunteers and enrollments are bulk-inserted into the bench database and their
tokens signed with ``backend.auth.issue_token`` inside an app context. Between the two bursts the
check-ins are moved 30 minutes back (as if the volunteers had served), so the check-outs earn
points; the check-out burst then exercises the whole hours-and-points path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from scripts.bench.common import (
    ROOT,
    bare_ceiling,
    bench_env,
    fresh_database,
    run_load,
    start_gunicorn,
)

VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", "2000"))
LIST_ACTIVITIES = 60
BURST_CONCURRENCY = int(os.environ.get("BENCH_BURST_CONCURRENCY", "64"))
WINDOW_SECONDS = 60
SITE = (28.1921, 115.7763)


def _code(activity_id: int, secret: str, purpose: str) -> str:
    """The current code, computed like ``backend.services.attendance.code_for``."""
    window = int(time.time()) // WINDOW_SECONDS
    message = f"{activity_id}:{purpose}:{window}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:8]


def _prepare(url: str) -> dict:
    """Bulk-insert the volunteers, enrollments and activities; sign the tokens."""
    from sqlalchemy import func, insert, select

    from backend import create_app
    from backend.auth import issue_token
    from backend.extensions import db
    from backend.models import Activity, Enrollment, Region, User, Volunteer

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        village = db.session.scalar(select(Region).where(Region.code == "360981001001"))
        organiser = db.session.scalar(
            select(User).where(User.openid == "sandbox-demo-village-admin")
        )
        now = datetime.now(UTC).replace(microsecond=0)
        # The activity under way: started 10 minutes ago, ends in 2 hours.
        secret = secrets.token_hex(32)
        activity = Activity(
            region_id=village.id,
            organiser_id=organiser.id,
            title="基准测试:全员安全检查",
            description="",
            category="safety_check",
            start_at=now - timedelta(minutes=10),
            end_at=now + timedelta(hours=2),
            enroll_deadline=now - timedelta(minutes=10),
            place_name="龙津社区广场",
            latitude=SITE[0],
            longitude=SITE[1],
            checkin_radius_m=300,
            checkin_open_minutes=30,
            capacity=None,
            enrolled_count=VOLUNTEERS,
            waitlist_enabled=False,
            waitlist_seq=0,
            required_skills=[],
            points_mode="per_hour",
            points_value=10,
            counts_as_duty=False,
            cover_url="",
            status="published",
            content_status="pass",
            checkin_secret=secret,
            published_at=now,
        )
        db.session.add(activity)
        # Upcoming activities for the list benchmark.
        for i in range(LIST_ACTIVITIES):
            start = now + timedelta(days=1 + i % 20, hours=i % 5)
            db.session.add(
                Activity(
                    region_id=village.id,
                    organiser_id=organiser.id,
                    title=f"社区活动{i + 1}",
                    description="巡逻、宣传与便民服务",
                    category=("patrol", "publicity", "convenience")[i % 3],
                    start_at=start,
                    end_at=start + timedelta(hours=2),
                    enroll_deadline=start,
                    place_name="龙津社区广场",
                    latitude=SITE[0] + (i % 7) * 0.001,
                    longitude=SITE[1] + (i % 5) * 0.001,
                    checkin_radius_m=300,
                    checkin_open_minutes=30,
                    capacity=30,
                    enrolled_count=i % 30,
                    waitlist_enabled=True,
                    waitlist_seq=0,
                    required_skills=[],
                    points_mode="per_hour",
                    points_value=10,
                    counts_as_duty=False,
                    cover_url="",
                    status="published",
                    content_status="pass",
                    checkin_secret=secrets.token_hex(32),
                    published_at=now,
                )
            )
        db.session.flush()
        first = (db.session.scalar(select(func.max(User.id))) or 0) + 1
        db.session.execute(
            insert(User),
            [
                {
                    "id": first + i,
                    "openid": f"bench-volunteer-{i}",
                    "nickname": f"志愿者{i}",
                    "region_id": village.id,
                    "status": "active",
                    "token_version": 1,
                    "consent_version": "bench",
                    "created_at": now,
                }
                for i in range(VOLUNTEERS)
            ],
        )
        db.session.execute(
            insert(Volunteer),
            [
                {
                    "user_id": first + i,
                    "number": f"PB{first + i:08d}",
                    "display_name": "志**",
                    "region_id": village.id,
                    "skills": ["巡防员"],
                    "availability": "",
                    "intro": "",
                    "status": "approved",
                    "review_reason": "",
                    "created_at": now,
                }
                for i in range(VOLUNTEERS)
            ],
        )
        volunteer_ids = dict(
            db.session.execute(
                select(Volunteer.user_id, Volunteer.id).where(Volunteer.user_id >= first)
            ).all()
        )
        db.session.execute(
            insert(Enrollment),
            [
                {
                    "activity_id": activity.id,
                    "user_id": first + i,
                    "volunteer_id": volunteer_ids[first + i],
                    "status": "enrolled",
                    "queued_at": now - timedelta(days=1),
                    "removed_reason": "",
                    "created_at": now,
                }
                for i in range(VOLUNTEERS)
            ],
        )
        db.session.commit()
        users = db.session.scalars(select(User).where(User.id >= first).order_by(User.id)).all()
        tokens = [issue_token(user)[0] for user in users]
        activity_id = activity.id
        db.engine.dispose()
    return {"app": app, "activity_id": activity_id, "secret": secret, "tokens": tokens}


def _counts(app, activity_id: int) -> tuple[int, int]:
    from sqlalchemy import func, select

    from backend.extensions import db
    from backend.models import Attendance, PointsEntry

    with app.app_context():
        attendances = db.session.scalar(
            select(func.count(Attendance.id)).where(Attendance.activity_id == activity_id)
        )
        grants = db.session.scalar(
            select(func.count(PointsEntry.id)).where(
                PointsEntry.source_type == "activity", PointsEntry.source_id == str(activity_id)
            )
        )
        db.session.remove()
        return int(attendances or 0), int(grants or 0)


def _backdate_checkins(app, activity_id: int) -> None:
    from sqlalchemy import literal_column, update

    from backend.extensions import db
    from backend.models import Attendance

    with app.app_context():
        db.session.execute(
            update(Attendance)
            .where(Attendance.activity_id == activity_id)
            # MariaDB date arithmetic (the bench runs on MariaDB only).
            .values(checkin_at=literal_column("checkin_at - INTERVAL 30 MINUTE"))
        )
        db.session.commit()
        db.engine.dispose()


def main() -> None:
    url = fresh_database()
    env = bench_env(url, ACTIVITY_CODE_WINDOW_SECONDS=str(WINDOW_SECONDS))
    subprocess.run(
        [sys.executable, "-m", "flask", "seed", "demo"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    data = _prepare(url)
    aid, secret, tokens = data["activity_id"], data["secret"], data["tokens"]
    ceiling = bare_ceiling()
    server = start_gunicorn("wsgi:app", env, "/api/v1/health")
    try:
        path = "/api/v1/activities?page_size=20"
        run_load(server.url, [("GET", path, None, {})], 300)
        listing = run_load(server.url, [("GET", path, None, {})], 3000)

        def scan(purpose: str):
            def request(i: int):
                body = {
                    "code": _code(aid, secret, purpose),
                    "latitude": SITE[0] + 0.0003,
                    "longitude": SITE[1],
                }
                headers = {"Authorization": f"Bearer {tokens[i]}"}
                return ("POST", f"/api/v1/activities/{aid}/{purpose}s", body, headers)

            return request

        checkins = run_load(server.url, scan("checkin"), len(tokens), BURST_CONCURRENCY)
        after_checkin = _counts(data["app"], aid)
        _backdate_checkins(data["app"], aid)
        checkouts = run_load(server.url, scan("checkout"), len(tokens), BURST_CONCURRENCY)
        attendances, grants = _counts(data["app"], aid)
    finally:
        server.stop()
    ok_in = checkins.statuses.get(201, 0)
    ok_out = checkouts.statuses.get(200, 0)
    print(f"bare Flask route            {ceiling.summary()}")
    print(f"GET /activities (20/page)   {listing.summary()}")
    print(f"ratio activities / bare     {listing.rps / ceiling.rps:.2f}")
    print(
        f"check-in burst ({len(tokens)} volunteers, {BURST_CONCURRENCY} connections)\n"
        f"                            {checkins.summary()}"
    )
    print(f"ratio check-ins / bare      {checkins.rps / ceiling.rps:.2f}")
    print(f"check-out burst             {checkouts.summary()}")
    print(
        f"check-ins {ok_in} = attendance rows {after_checkin[0]} = "
        f"{len(tokens)}: {ok_in == after_checkin[0] == len(tokens)}"
    )
    print(
        f"check-outs {ok_out} = attendance rows {attendances} = points rows {grants} = "
        f"{len(tokens)}: {ok_out == attendances == grants == len(tokens)}"
    )
