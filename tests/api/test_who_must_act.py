"""People who must act see what they need, and only they: the organiser reaches the enrolled
volunteers (real name and phone, wherever they live), a dispatcher knows whom they send, an
applicant reads their own application, and every status comes with its Chinese name."""

from __future__ import annotations

from datetime import timedelta

from backend.extensions import db
from backend.models import Volunteer
from backend.privacy import decrypt
from backend.utils import utcnow
from tests.activity_helpers import published, volunteer
from tests.conftest import application
from tests.service_request_helpers import submit


def _real(user) -> tuple[str, str]:
    record = db.session.scalar(db.select(Volunteer).where(Volunteer.user_id == user.id))
    return decrypt(record.real_name_enc), decrypt(record.phone_enc)


def test_the_organiser_reaches_enrolled_volunteers_from_other_villages(api, demo):
    organiser = demo.user("demo-village-admin")  # 龙津社区 only
    start = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    activity = published(api, organiser, demo.village_a, start)
    guest = volunteer(demo.village_b)  # 白土镇: outside the organiser's scope
    leaver = volunteer(demo.village_b)
    for person in (guest, leaver):
        assert api.post(f"/activities/{activity['id']}/enrollments", person).status_code == 201
    assert api.delete(f"/activities/{activity['id']}/enrollments/me", leaver).status_code in (
        200,
        204,
    )
    roster = api.get(f"/activities/{activity['id']}/enrollments", organiser).get_json()["items"]
    rows = {r["user_id"]: r for r in roster}
    name, phone = _real(guest)
    assert (rows[guest.id]["name"], rows[guest.id]["phone"]) == (name, phone)
    gone_name, gone_phone = _real(leaver)
    assert rows[leaver.id]["name"] != gone_name and rows[leaver.id]["phone"] != gone_phone
    csv = api.get(f"/activities/{activity['id']}/enrollments?format=csv", organiser)
    assert phone in csv.get_data(as_text=True) and gone_phone not in csv.get_data(as_text=True)
    # Another village's admin is no organiser of it: 404, nothing shown.
    other = api.get(f"/activities/{activity['id']}/enrollments", demo.user("demo-village-admin-2"))
    assert other.status_code == 404


def test_a_dispatcher_sees_the_candidates_real_names(api, demo, new_user):
    helper = volunteer(demo.village_a, skills=("巡防员", "安全员"))
    name, phone = _real(helper)
    resident = new_user("居民")
    request = submit(api, resident, demo.region("360981001001G01"))
    body = api.get(f"/service-requests/{request['id']}/candidates", demo.user("demo-village-admin"))
    assert body.status_code == 200, body.get_json()
    entry = next(c for c in body.get_json()["items"] if c["user_id"] == helper.id)
    assert entry["name"].startswith(name) and phone not in str(body.get_json())
    # The requester is no dispatcher.
    refused = api.get(f"/service-requests/{request['id']}/candidates", resident)
    assert refused.status_code in (403, 404)


def test_an_applicant_reads_their_own_application(api, demo, new_user):
    me = new_user("申请人")
    applied = api.post("/volunteers", me, json=application(demo.village_a.id, seed=77))
    assert applied.status_code == 201, applied.get_json()
    mine = api.get(f"/volunteers/{applied.get_json()['id']}", me)
    assert mine.status_code == 200
    body = mine.get_json()
    assert body["real_name"] == "王小明" and body["status_name"] == "待审核"
    someone = new_user("路人")
    assert api.get(f"/volunteers/{applied.get_json()['id']}", someone).status_code == 403
    other = db.session.scalar(db.select(Volunteer.id).where(Volunteer.user_id != me.id))
    assert api.get(f"/volunteers/{other}", me).status_code == 403


def test_every_status_in_a_response_has_its_chinese_name(api):
    spec = api.get("/openapi.json").get_json()
    missing = []
    for name, schema in spec["components"]["schemas"].items():
        if not name.endswith("Out") or name in ("HealthOut",):  # health: machine-facing
            continue
        props = schema.get("properties", {})
        for prop in props:
            if prop in ("status", "moderation", "hours_kind") or prop.endswith("_status"):
                if f"{prop}_name" not in props:
                    missing.append(f"{name}.{prop}")
    assert missing == []
