"""Demo activities load once and show up in the public list."""

from __future__ import annotations

from backend.demo.activities import DEMO_ACTIVITIES, seed_demo_activities
from backend.extensions import db


def test_seed_demo_activities(api, demo):
    assert seed_demo_activities() == len(DEMO_ACTIVITIES)
    db.session.commit()
    assert seed_demo_activities() == 0
    listing = api.get("/activities").get_json()
    assert listing["total"] == len(DEMO_ACTIVITIES)
    assert {a["phase"] for a in listing["items"]} == {"enrolling"}
    volunteer = demo.user("demo-volunteer")
    first = listing["items"][0]["id"]
    assert api.post(f"/activities/{first}/enrollments", volunteer).status_code == 201
