"""Service-hour certificates (志愿服务记录证明): request, admin issue, verification, PDF."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from backend.extensions import db
from backend.models import AuditLog, Certificate, Volunteer
from tests.assessment_helpers import activity, attend

pytestmark = pytest.mark.usefixtures("demo")


def served(demo, user, *spans):
    """Attendances of ``user``: (start "YYYY-MM-DD HH:MM", minutes, kind)."""
    admin = demo.user("demo-village-admin")
    for start, minutes, *kind in spans:
        act = activity(demo.village_a, admin, start, duty=bool(kind))
        attend(act, user, minutes, kind=kind[0] if kind else "service")
    db.session.commit()


def volunteer_of(user) -> Volunteer:
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))


@freeze_time("2026-04-02T10:00:00+08:00")
def test_volunteer_requests_and_anyone_verifies(api, demo):
    me = demo.user("demo-volunteer")
    served(demo, me, ("2026-03-01 09:00", 120), ("2026-03-20 09:00", 90), ("2026-03-21 09:00", 45))
    police = demo.user("demo-police")
    served(demo, police, ("2026-03-02 09:00", 600, "duty"))
    response = api.post("/me/certificates", me, json={"kind": "service_hours"})
    assert response.status_code == 201, response.get_json()
    cert = response.get_json()
    assert cert["kind"] == "service_hours" and cert["title"] == "志愿服务记录证明"
    assert cert["number"].startswith("FW2026") and cert["valid"] is True
    assert cert["holder_name"] == "张**"
    assert "累计志愿服务时长4.2小时" in cert["content"]  # 255 minutes, one decimal
    assert "在龙津社区参加平安大联盟巡逻志愿服务活动3次" in cert["content"]
    assert "2026年3月1日至2026年3月21日" in cert["content"]
    assert cert["issuer"] == "剑光街道综治中心"
    facts = {f["label"]: f["value"] for f in cert["facts"]}
    assert facts["累计服务时长"] == "4.2 小时" and facts["服务次数"] == "3 次"
    assert [a["date"] for a in cert["activities"]] == ["2026-03-21", "2026-03-20", "2026-03-01"]
    assert cert["issued_at"] == "2026-04-02T10:00:00+08:00"

    public = api.get(f"/certificates/{cert['number']}")
    assert public.status_code == 200 and public.get_json()["content"] == cert["content"]
    pdf = api.get(f"/certificates/{cert['number'].lower()}/pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    mine = api.get("/me/certificates", me).get_json()
    assert [c["number"] for c in mine["items"]] == [cert["number"]]

    # Same hours: the same certificate; new hours: a new one, the old stays valid.
    again = api.post("/me/certificates", me, json={"kind": "service_hours"})
    assert again.status_code == 200 and again.get_json()["number"] == cert["number"]
    served(demo, me, ("2026-04-01 09:00", 60))
    newer = api.post("/me/certificates", me, json={"kind": "service_hours"})
    assert newer.status_code == 201 and newer.get_json()["number"] != cert["number"]
    assert "累计志愿服务时长5.2小时" in newer.get_json()["content"]
    assert db.session.scalar(select(db.func.count()).select_from(Certificate)) == 2


def test_duty_hours_are_not_service(api, demo):
    police = demo.user("demo-police")
    served(demo, police, ("2026-03-02 09:00", 600, "duty"))
    response = api.post("/me/certificates", police, json={"kind": "service_hours"})
    assert response.status_code == 409 and response.get_json()["code"] == "not_a_volunteer"
    me = demo.user("demo-volunteer-2")
    served(demo, me, ("2026-03-02 09:00", 300, "duty"))
    response = api.post("/me/certificates", me, json={"kind": "service_hours"})
    assert response.status_code == 409 and response.get_json()["code"] == "no_service_hours"


def test_request_validation(api, demo):
    me = demo.user("demo-volunteer")
    assert api.post("/me/certificates", None, json={"kind": "service_hours"}).status_code == 401
    for body in ({}, {"kind": "award"}, {"kind": "service_hours", "hours": 999}):
        assert api.post("/me/certificates", me, json=body).status_code == 422, body
    suspended = volunteer_of(me)
    served(demo, me, ("2026-03-01 09:00", 60))
    suspended.status = "suspended"
    db.session.commit()
    response = api.post("/me/certificates", me, json={"kind": "service_hours"})
    assert response.status_code == 409 and response.get_json()["code"] == "not_a_volunteer"
    resident = demo.user("demo-resident")
    response = api.post("/me/certificates", resident, json={"kind": "service_hours"})
    assert response.status_code == 409


@pytest.mark.parametrize(
    "who,expected",
    [
        ("demo-resident", 403),
        ("demo-grid-worker", 403),
        ("demo-village-admin", 201),
        ("demo-village-admin-2", 404),
        ("demo-township-admin", 201),
        ("demo-township-admin-2", 404),
        ("demo-city-admin", 201),
    ],
)
def test_admin_issue_matrix(api, demo, who, expected):
    target = demo.user("demo-volunteer")
    served(demo, target, ("2026-03-01 09:00", 120))
    body = {"kind": "service_hours", "volunteer_id": volunteer_of(target).id}
    response = api.post("/certificates", demo.user(who), json=body)
    assert response.status_code == expected, response.get_json()
    if expected == 201:
        cert = response.get_json()
        assert (
            db.session.get(
                Certificate,
                db.session.scalar(
                    select(Certificate.id).where(Certificate.number == cert["number"])
                ),
            ).user_id
            == target.id
        )
        logged = db.session.scalar(select(AuditLog).where(AuditLog.action == "certificate.issue"))
        assert logged is not None and logged.actor_id == demo.user(who).id
        repeat = api.post("/certificates", demo.user(who), json=body)
        assert repeat.status_code == 200 and repeat.get_json()["number"] == cert["number"]


def test_admin_issue_validation(api, demo):
    admin = demo.user("demo-city-admin")
    assert api.post("/certificates", admin, json={"kind": "service_hours"}).status_code == 422
    body = {"kind": "service_hours", "volunteer_id": 999999}
    assert api.post("/certificates", admin, json=body).status_code == 404
    target = volunteer_of(demo.user("demo-volunteer"))
    extra = {"kind": "service_hours", "volunteer_id": target.id, "user_id": 1}
    assert api.post("/certificates", admin, json=extra).status_code == 422
    no_hours = api.post(
        "/certificates", admin, json={"kind": "service_hours", "volunteer_id": target.id}
    )
    assert no_hours.status_code == 409
