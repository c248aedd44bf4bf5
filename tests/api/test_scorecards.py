"""GET /scorecards: figures of volunteers, grid workers and villages; scope; exports."""

from __future__ import annotations

import csv
import io

import pytest
from freezegun import freeze_time

from tests.assessment_helpers import activity, attend, march_scenario

pytestmark = pytest.mark.usefixtures("demo")
MARCH = "period=month&date=2026-03-15"


def rows_by(body, key="name"):
    return {row[key]: row for row in body["items"]}


@freeze_time("2026-03-31T12:00:00+08:00")
def test_volunteer_scorecards(api, demo):
    people = march_scenario(demo)
    admin = demo.user("demo-village-admin")
    response = api.get(f"/scorecards?type=volunteer&{MARCH}", admin)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["region"]["id"] == demo.village_a.id and body["period_key"] == "2026-03"
    assert body["period_label"] == "2026年3月"
    assert body["starts_at"] == "2026-03-01T00:00:00+08:00"
    rows = {row["user_id"]: row for row in body["items"]}
    assert people["v3"].id not in rows  # another village
    v1, v2 = rows[people["v1"].id], rows[people["v2"].id]
    assert body["items"][0]["user_id"] == people["v1"].id  # most hours first
    assert v1["service_minutes"] == 120 and v1["service_hours"] == 2.0
    assert v1["activities_attended"] == 1 and v1["no_shows"] == 0
    assert v1["requests_resolved"] == 1 and v1["avg_rating"] == 4.0
    assert v1["points"] == 30 and v1["name"] == "钱**"
    assert v2["service_minutes"] == 0 and v2["no_shows"] == 1 and v2["avg_rating"] is None
    assert v2["points"] == 10
    assert "score" not in v1 and "overdue" not in v1
    february = api.get("/scorecards?type=volunteer&period=month&date=2026-02-01", admin)
    assert rows_by(february.get_json(), "user_id")[people["v1"].id]["service_minutes"] == 90


@freeze_time("2026-03-31T12:00:00+08:00")
def test_grid_worker_scorecards(api, demo):
    people = march_scenario(demo)
    body = api.get(
        f"/scorecards?type=grid_worker&{MARCH}", demo.user("demo-township-admin")
    ).get_json()
    assert body["total"] == 1
    row = body["items"][0]
    assert row["user_id"] == people["worker"].id and row["region_name"] == "龙津社区第1网格"
    assert row["requests_handled"] == 2 and row["resolved_on_time"] == 1
    assert row["on_time_rate"] == 50.0
    assert row["median_accept_minutes"] == 30.0  # 30, 60, 10
    assert row["median_resolve_minutes"] == 2220.0  # 120, 4320
    assert row["overdue"] == 2  # r2 resolved late, r3 still open past its deadline
    assert row["duty_hours"] == 1.0 and row["satisfaction"] == 4.0
    assert row["score"] == 60.0  # mean(50, 4 × 20, 2 / (2 + 2) × 100)
    assert "service_minutes" not in row


@freeze_time("2026-03-31T12:00:00+08:00")
def test_village_scorecards(api, demo):
    march_scenario(demo)
    body = api.get(
        f"/scorecards?type=village&{MARCH}&region_id={demo.township_a.id}",
        demo.user("demo-city-admin"),
    ).get_json()
    rows = rows_by(body)
    assert set(rows) == {"龙津社区", "新城社区", "紫云社区"}
    village = rows["龙津社区"]
    # The row names the village itself; its township comes apart.
    assert village["region_id"] == village["id"] == demo.village_a.id
    assert village["region_name"] == "龙津社区"
    assert (village["township_id"], village["township_name"]) == (demo.township_a.id, "剑光街道")
    assert village["volunteers"] == 4  # two demo volunteers + v1 + v2
    assert village["active_volunteers"] == 1 and village["participation_rate"] == 25.0
    assert village["activities_held"] == 2  # the patrol and the duty shift; not the cancelled
    assert village["requests_received"] == 4 and village["requests_resolved"] == 3
    assert village["on_time_rate"] == 66.7 and village["satisfaction"] == 4.0
    assert village["expenses_paid"] == 2 and village["expenses_with_receipts"] == 1
    assert village["fund_transparency"] == 50.0
    assert village["activity_target"] == 4 and village["activity_rate"] == 50.0
    assert village["score"] == 54.3  # mean(25 participation, 50 activity, 66.7, 80, 50)
    quiet = rows["新城社区"]
    assert quiet["requests_resolved"] == 0 and quiet["on_time_rate"] is None
    assert quiet["fund_transparency"] is None and quiet["score"] == 0.0


def test_day_boundaries_in_china_time(api, demo):
    from backend.extensions import db
    from tests.recognition_helpers import make_volunteer

    admin = demo.user("demo-village-admin")
    user, _ = make_volunteer(demo.village_a, "郑晨")
    late = activity(demo.village_a, admin, "2026-03-01 23:30")
    attend(late, user, 20, at="2026-03-01 23:50")  # 15:50 UTC on 3-1
    early = activity(demo.village_a, admin, "2026-03-02 00:05")
    attend(early, user, 40, at="2026-03-02 00:10")  # 16:10 UTC on 3-1
    db.session.commit()

    def minutes(day):
        body = api.get(f"/scorecards?type=volunteer&period=day&date={day}", admin).get_json()
        return rows_by(body, "user_id")[user.id]["service_minutes"]

    assert minutes("2026-03-01") == 20
    assert minutes("2026-03-02") == 40
    week = api.get("/scorecards?type=volunteer&period=week&date=2026-03-01", admin).get_json()
    assert rows_by(week, "user_id")[user.id]["service_minutes"] == 20  # 3-1 is a Sunday
    quarter = api.get("/scorecards?type=volunteer&period=quarter&date=2026-02-01", admin)
    assert rows_by(quarter.get_json(), "user_id")[user.id]["service_minutes"] == 60


@pytest.mark.parametrize(
    "who,region,expected",
    [
        ("demo-resident", None, 403),
        ("demo-volunteer", None, 403),
        ("demo-grid-worker", None, 403),
        ("demo-village-admin", None, 200),
        ("demo-village-admin", "village_a", 200),
        ("demo-village-admin", "village_b", 404),
        ("demo-village-admin", "township_a", 404),
        ("demo-village-admin-2", "village_a", 404),
        ("demo-township-admin", "village_a", 200),
        ("demo-township-admin", "township_b", 404),
        ("demo-township-admin-2", "village_a", 404),
        ("demo-city-admin", "village_b", 200),
        ("demo-city-admin", None, 200),
    ],
)
def test_scope_matrix(api, demo, who, region, expected):
    query = "/scorecards?type=village"
    if region:
        query += f"&region_id={getattr(demo, region).id}"
    assert api.get(query, demo.user(who)).status_code == expected


def test_default_region_and_scoped_rows(api, demo):
    village_admin = api.get("/scorecards?type=village", demo.user("demo-village-admin"))
    assert [r["name"] for r in village_admin.get_json()["items"]] == ["龙津社区"]
    township = api.get("/scorecards?type=village", demo.user("demo-township-admin-2")).get_json()
    assert township["region"]["name"] == "白土镇"
    assert all(r["township_name"] == "白土镇" for r in township["items"])
    city = api.get("/scorecards?type=volunteer&page_size=100", demo.user("demo-city-admin"))
    assert city.get_json()["total"] == 5  # every demo volunteer
    other = api.get("/scorecards?type=volunteer", demo.user("demo-village-admin-2")).get_json()
    assert {r["region_name"] for r in other["items"]} == {"白土村"}
    assert api.get("/scorecards").status_code == 401


def test_validation(api, demo):
    admin = demo.user("demo-city-admin")
    for query in (
        "type=team",
        "period=all",
        "period=decade",
        "date=2026-13-01",
        "format=pdf",
        "page=0",
        "page_size=500",
        "region_id=abc",
        "secret=1",
    ):
        response = api.get(f"/scorecards?{query}", admin)
        assert response.status_code == 422, query
    assert api.get("/scorecards?region_id=999999", admin).status_code == 404
    grid = demo.region("360981001001G01")
    grid_view = api.get(f"/scorecards?type=village&region_id={grid.id}", admin).get_json()
    assert [r["name"] for r in grid_view["items"]] == ["龙津社区"]  # a grid shows its village


@freeze_time("2026-03-31T12:00:00+08:00")
def test_exports(api, demo):
    march_scenario(demo)
    admin = demo.user("demo-township-admin")
    response = api.get(f"/scorecards?type=village&{MARCH}&format=csv", admin)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert lines[0][0] == "村(社区)" and "经费公开度(%)" in lines[0]
    village = next(line for line in lines if line[0] == "龙津社区")
    assert village[lines[0].index("综合得分")] == "54.3"
    xlsx = api.get(f"/scorecards?type=grid_worker&{MARCH}&format=xlsx", admin)
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    volunteers = api.get(f"/scorecards?type=volunteer&{MARCH}&format=csv", admin)
    text = volunteers.data.decode("utf-8-sig")
    assert "钱**" in text and "钱多多" not in text
    assert api.get("/scorecards?format=csv", demo.user("demo-resident")).status_code == 403
    outside = api.get(f"/scorecards?format=csv&region_id={demo.township_b.id}", admin)
    assert outside.status_code == 404


@pytest.mark.parametrize("kind", ["volunteer", "grid_worker", "village"])
def test_no_n_plus_one(api, demo, new_user, kind):
    from sqlalchemy import event

    from backend.extensions import db
    from backend.services.roles import grant_role
    from tests.recognition_helpers import make_volunteer

    admin = demo.user("demo-village-admin")
    act = activity(demo.village_a, admin, "2026-03-10 09:00")
    for i in range(8):
        user, _ = make_volunteer(demo.village_a, f"吴{i}")
        attend(act, user, 30 + i)
        worker = new_user(f"gw{i}")
        grant_role(worker, "grid_worker", demo.region("360981001001G02"))
    db.session.commit()
    headers = api.headers(demo.user("demo-city-admin"))
    statements = []

    def count(*_args):
        statements.append(1)

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        url = f"/api/v1/scorecards?type={kind}&{MARCH}"
        small = api.client.get(url + "&page_size=1", headers=headers)
        n_small = len(statements)
        statements.clear()
        db.session.remove()
        large = api.client.get(url + "&page_size=9", headers=headers)
        n_large = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert small.status_code == large.status_code == 200
    assert len(large.get_json()["items"]) > len(small.get_json()["items"])
    assert n_large == n_small, (n_small, n_large)
