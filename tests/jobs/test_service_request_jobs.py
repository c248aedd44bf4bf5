"""The escalation sweep and the auto-close job, on a frozen clock; races on MariaDB."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import requests
from freezegun import freeze_time

from backend.extensions import db
from backend.jobs import service_requests as jobs
from backend.jobs.registry import JOBS
from backend.models import Notification, ServiceRequest, ServiceRequestEvent
from tests.service_request_helpers import GRID_A1, fresh, notices, submit, to_state

T0 = "2026-03-02T01:00:00+00:00"


def _sweep() -> dict:
    result = jobs.escalate_overdue()
    db.session.commit()
    return result


def _escalations(request_id: int) -> list[ServiceRequestEvent]:
    return list(
        db.session.scalars(
            db.select(ServiceRequestEvent)
            .where(
                ServiceRequestEvent.request_id == request_id,
                ServiceRequestEvent.action == "escalated",
            )
            .order_by(ServiceRequestEvent.id)
        )
    )


def test_jobs_are_registered():
    by_id = {job.id: job for job in JOBS}
    sweep = by_id["service_requests.escalate_overdue"]
    assert sweep.func == "backend.jobs.service_requests:escalate_overdue"
    assert (sweep.trigger, sweep.trigger_args) == ("interval", {"minutes": 1})
    assert by_id["service_requests.close_unrated"].func.endswith(":close_unrated")


def test_unaccepted_request_climbs_once_per_deadline_with_notices(api, demo, new_user):
    township_admin = demo.user("demo-township-admin")
    city_admin = demo.user("demo-city-admin")
    with freeze_time(T0) as clock:
        # hazard/normal: 60 minutes to accept, 24 hours to resolve
        request_id = submit(api, new_user("sweep"), demo.region(GRID_A1))["id"]
        calm = submit(api, new_user("calm"), demo.region(GRID_A1), category="suggestion")["id"]
        clock.tick(timedelta(minutes=59))
        assert _sweep() == {"checked": 0, "escalated": 0}
        clock.tick(timedelta(minutes=2))  # 61 minutes: past the accept deadline
        assert _sweep() == {"checked": 1, "escalated": 1}
        req = fresh(request_id)
        assert (req.tier, req.tier_region_id, req.escalation_count) == (
            "township",
            demo.township_a.id,
            1,
        )
        # the new tier has a fresh hour from the move; the resolve clock was not late
        assert req.accept_due_at == clock.time_to_freeze.replace(
            tzinfo=req.accept_due_at.tzinfo
        ) + timedelta(minutes=60)
        (event,) = _escalations(request_id)
        assert event.actor_id is None and event.tier == "township"
        assert "超过受理时限" in event.note and "乡镇" in event.note
        alerts = notices(township_admin.id, "escalation_alert")
        assert len(alerts) == 1
        assert alerts[0].fields["tier"] == "乡镇(街道)" and alerts[0].fields["deadline"]
        assert alerts[0].fields["title"].startswith("隐患:")
        assert notices(demo.user("demo-township-admin-2").id) == []
        assert notices(city_admin.id, "escalation_alert") == []
        # sweeping again (even many times) changes nothing until the township's hour is up
        for _ in range(3):
            clock.tick(timedelta(minutes=1))
            assert _sweep()["escalated"] == 0
        clock.tick(timedelta(minutes=58))
        assert _sweep() == {"checked": 1, "escalated": 1}
        req = fresh(request_id)
        assert (req.tier, req.tier_region_id) == ("city", demo.city.id)
        assert len(notices(city_admin.id, "escalation_alert")) == 1
        assert len(notices(township_admin.id, "escalation_alert")) == 1
        # the city is the top: overdue stays overdue, but nothing moves any more
        clock.tick(timedelta(hours=12))
        assert _sweep() == {"checked": 0, "escalated": 0}
        assert len(_escalations(request_id)) == 2
        assert fresh(calm).tier == "village"  # suggestions have a day to be accepted
        # the requester was told at each step
        statuses = [n.title for n in notices(fresh(request_id).requester_id)]
        assert statuses == ["您的服务请求已上报至乡镇(街道)", "您的服务请求已上报至市"]
        # the handler's queue marks it overdue
        listed = api.get("/service-requests?overdue=true&tier=city", city_admin).get_json()
        assert [r["id"] for r in listed["items"]] == [request_id]


def test_accepted_request_escalates_on_the_resolve_deadline(api, demo, new_user):
    with freeze_time(T0) as clock:
        request_id = to_state(api, demo, new_user("slow"), "in_progress")
        clock.tick(timedelta(hours=23, minutes=59))
        assert _sweep()["escalated"] == 0  # accepted in time: the accept clock no longer runs
        clock.tick(timedelta(minutes=2))
        assert _sweep()["escalated"] == 1
        req = fresh(request_id)
        assert req.tier == "township" and req.status == "in_progress"
        assert "超过办结时限" in _escalations(request_id)[0].note
        assert req.resolve_due_at > clock.time_to_freeze.replace(tzinfo=req.resolve_due_at.tzinfo)
        assert _sweep()["escalated"] == 0


def test_finished_and_held_requests_never_escalate(api, demo, new_user):
    with freeze_time(T0) as clock:
        done = to_state(api, demo, new_user("done"), "resolved")
        cancelled = to_state(api, demo, new_user("cx"), "cancelled")
        held = submit(api, new_user("hd"), demo.region(GRID_A1), description="需要待审的内容描述")[
            "id"
        ]
        clock.tick(timedelta(days=3))
        assert _sweep()["escalated"] == 0
        for request_id in (done, cancelled, held):
            assert fresh(request_id).tier == "village"


def test_unrated_resolved_requests_close_after_n_days(api, demo, new_user):
    with freeze_time(T0) as clock:
        user = new_user("unrated")
        request_id = to_state(api, demo, user, "resolved")
        rated = to_state(api, demo, new_user("rated"), "closed")
        clock.tick(timedelta(days=6, hours=23))
        assert jobs.close_unrated() == {"checked": 0, "closed": 0}
        clock.tick(timedelta(hours=2))
        assert jobs.close_unrated() == {"checked": 1, "closed": 1}
        db.session.commit()
        assert jobs.close_unrated() == {"checked": 0, "closed": 0}
        req = fresh(request_id)
        assert req.status == "closed" and req.rating is None and req.closed_at is not None
        last = api.get(f"/service-requests/{request_id}", user).get_json()["timeline"][-1]
        assert last["action"] == "auto_closed" and last["actor_label"] == "系统"
        assert notices(user.id)[-1].fields["status"] == "已关闭"
        late = api.post(f"/service-requests/{request_id}/rating", user, json={"score": 5})
        assert late.status_code == 409
        assert fresh(rated).rating == 5


# ---------------------------------------------------------------------------------------------
# Races on MariaDB
# ---------------------------------------------------------------------------------------------


@pytest.mark.mysql
def test_two_racing_sweeps_move_each_request_once(app, api, demo, new_user):
    with freeze_time(T0) as clock:
        ids = [submit(api, new_user(f"race{i}"), demo.region(GRID_A1))["id"] for i in range(8)]
        clock.tick(timedelta(minutes=61))
        now = clock.time_to_freeze
    db.session.remove()
    from datetime import UTC

    moment = now.replace(tzinfo=UTC)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                from backend.services import service_requests

                results.append(service_requests.escalate_overdue(moment))
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(r["escalated"] for r in results) == len(ids)
    for request_id in ids:
        req = fresh(request_id)
        assert (req.tier, req.escalation_count) == ("township", 1)
        assert len(_escalations(request_id)) == 1
    alerts = db.session.scalar(
        db.select(db.func.count(Notification.id)).where(
            Notification.kind == "escalation_alert",
            Notification.user_id == demo.user("demo-township-admin").id,
        )
    )
    assert alerts == len(ids)


@pytest.mark.mysql
def test_racing_claims_and_assignments_have_one_winner(app, api, demo, new_user, live_server):
    request_id = submit(api, new_user("claimrace"), demo.region(GRID_A1))["id"]
    version = fresh(request_id).version
    grid_worker, admin = demo.user("demo-grid-worker"), demo.user("demo-village-admin")
    police = demo.user("demo-police")
    calls = [
        ("claim", api.headers(grid_worker), {}),
        ("assign", api.headers(admin), {"assignee_id": police.id}),
        ("claim", api.headers(grid_worker), {}),
        ("assign", api.headers(admin), {"assignee_id": demo.user("demo-volunteer").id}),
    ]
    db.session.remove()
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = []

    def go(action, headers, payload):
        barrier.wait()
        response = requests.post(
            f"{live_server.url}/api/v1/service-requests/{request_id}/{action}",
            json=payload,
            headers=headers,
            timeout=30,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=go, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # Assignments may follow one another (reassigning is legal); a claim only wins on an
    # untouched request. Whatever the order, every answer is 200 or 409 and the timeline
    # holds exactly one event per 200.
    assert sorted(set(statuses)) <= [200, 409] and len(statuses) == len(calls)
    events = db.session.scalars(
        db.select(ServiceRequestEvent.action).where(
            ServiceRequestEvent.request_id == request_id,
            ServiceRequestEvent.action.in_(("claimed", "assigned")),
        )
    ).all()
    assert len(events) == statuses.count(200)
    assert events.count("claimed") <= 1
    req = fresh(request_id)
    assert req.version == version + statuses.count(200)


@pytest.mark.mysql
def test_racing_ratings_close_once(app, api, demo, new_user, live_server):
    user = new_user("raterace")
    request_id = to_state(api, demo, user, "resolved")
    headers = api.headers(user)
    db.session.remove()
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def go(score):
        barrier.wait()
        response = requests.post(
            f"{live_server.url}/api/v1/service-requests/{request_id}/rating",
            json={"score": score},
            headers=headers,
            timeout=30,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=go, args=(s,)) for s in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [200, 409, 409, 409]
    rated = db.session.scalars(
        db.select(ServiceRequestEvent).where(
            ServiceRequestEvent.request_id == request_id, ServiceRequestEvent.action == "rated"
        )
    ).all()
    assert len(rated) == 1
    assert fresh(request_id).rating == int(rated[0].note[0])


def test_sweep_skips_a_request_changed_under_it(api, demo, new_user, monkeypatch):
    """The move is a version-checked UPDATE: a row changed after the sweep loaded it is skipped
    (and left to the next sweep), never moved on stale data."""
    from backend.services import service_requests

    original = service_requests._escalate

    def change_first(req, actor, reason, now):
        # Another connection (a handler, a second sweep) commits a change to this very row.
        with db.engine.begin() as conn:
            conn.execute(
                db.update(ServiceRequest)
                .where(ServiceRequest.id == req.id)
                .values(version=ServiceRequest.version + 1, address="并发修改")
            )
        original(req, actor, reason, now)

    with freeze_time(T0) as clock:
        first = submit(api, new_user("stale"), demo.region(GRID_A1))["id"]
        clock.tick(timedelta(minutes=61))
        monkeypatch.setattr(service_requests, "_escalate", change_first)
        assert _sweep() == {"checked": 1, "escalated": 0}
        req = fresh(first)
        assert (req.tier, req.address) == ("village", "并发修改")
        assert _escalations(first) == []
        monkeypatch.setattr(service_requests, "_escalate", original)
        assert _sweep()["escalated"] == 1  # the next sweep moves it
