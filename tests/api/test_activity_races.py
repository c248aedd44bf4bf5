"""Races on MariaDB through real concurrent HTTP requests (live server, threads)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import requests

from backend.extensions import db
from backend.models import Activity, Attendance, Enrollment, PointsAccount, PointsEntry
from backend.utils import utcnow
from tests.activity_helpers import activity_body, code, scan, volunteer

pytestmark = pytest.mark.mysql


def hammer(url: str, calls: list[tuple[str, str, dict | None]]) -> list[requests.Response]:
    """Send every call at the same moment from its own thread; answers in call order."""
    barrier = threading.Barrier(len(calls))
    answers: list[requests.Response | None] = [None] * len(calls)

    def send(i: int, method: str, token: str, body: dict | None) -> None:
        with requests.Session() as http:
            barrier.wait()
            answers[i] = http.request(
                method,
                url,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )

    threads = [
        threading.Thread(target=send, args=(i, m, t, b)) for i, (m, t, b) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers  # type: ignore[return-value]


def _activity(api, demo, **overrides) -> int:
    admin = demo.user("demo-village-admin")
    start = (utcnow() + timedelta(minutes=5)).replace(microsecond=0)
    created = api.post("/activities", admin, json=activity_body(demo.village_a, start, **overrides))
    assert created.status_code == 201, created.get_json()
    aid = created.get_json()["id"]
    assert api.post(f"/activities/{aid}/publish", admin).status_code == 200
    return aid


def test_sixty_volunteers_race_for_twenty_places(api, demo, live_server):
    aid = _activity(api, demo, capacity=20, waitlist_enabled=True)
    people = [volunteer(demo.village_a) for _ in range(60)]
    tokens = {p.id: api.token_for(p) for p in people}
    url = f"{live_server.url}/api/v1/activities/{aid}/enrollments"
    answers = hammer(url, [("POST", tokens[p.id], None) for p in people])
    assert Counter(a.status_code for a in answers) == {201: 60}, [a.text for a in answers][:3]
    statuses = Counter(a.json()["status"] for a in answers)
    assert statuses == {"enrolled": 20, "waitlisted": 40}
    db.session.expire_all()
    assert db.session.get(Activity, aid).enrolled_count == 20
    rows = db.session.scalars(
        db.select(Enrollment)
        .where(Enrollment.activity_id == aid)
        .order_by(Enrollment.queued_at, Enrollment.id)
    ).all()
    # Arrival order (the order the activity row lock was granted): 20 seats, then tickets 1..40.
    assert [r.status for r in rows] == ["enrolled"] * 20 + ["waitlisted"] * 40
    assert [r.waitlist_seq for r in rows[20:]] == list(range(1, 41))
    # Each answer told its own place in the queue, and no two share one.
    by_user = {r.user_id: r for r in rows}
    positions = {}
    for person, answer in zip(people, answers, strict=True):
        body = answer.json()
        if body["status"] == "waitlisted":
            positions[person.id] = body["waitlist_position"]
            assert body["waitlist_position"] == by_user[person.id].waitlist_seq
    assert sorted(positions.values()) == list(range(1, 41))


def test_fifty_identical_checkins_and_checkouts(api, demo, live_server):
    aid = _activity(api, demo, points_mode="fixed", points_value=8)
    person = volunteer(demo.village_a)
    assert api.post(f"/activities/{aid}/enrollments", person).status_code == 201
    token = api.token_for(person)
    base = f"{live_server.url}/api/v1/activities/{aid}"
    checkins = hammer(f"{base}/checkins", [("POST", token, scan(code(aid)))] * 50)
    assert Counter(a.status_code for a in checkins) == {201: 1, 409: 49}
    assert {a.json()["code"] for a in checkins if a.status_code == 409} == {"already_checked_in"}
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 1
    # Half an hour on site (the check-in is moved back so that the check-out earns points).
    db.session.execute(
        db.update(Attendance)
        .where(Attendance.activity_id == aid)
        .values(checkin_at=utcnow() - timedelta(minutes=30))
    )
    db.session.execute(
        db.update(Activity).where(Activity.id == aid).values(start_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    checkouts = hammer(f"{base}/checkouts", [("POST", token, scan(code(aid, "checkout")))] * 50)
    assert Counter(a.status_code for a in checkouts) == {200: 1, 409: 49}
    codes = {a.json()["code"] for a in checkouts if a.status_code == 409}
    assert codes <= {"already_checked_out", "points_already_granted"}, codes
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(PointsEntry.id))) == 1
    account = db.session.scalar(db.select(PointsAccount).where(PointsAccount.user_id == person.id))
    assert account.balance == 8 and account.earned == 8
    attendance = db.session.scalar(db.select(Attendance))
    assert attendance.status == "checked_out" and attendance.points == 8
