"""GET /leaderboards: ordering, ties, China-time period boundaries, exclusions, my rank."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from backend.extensions import db
from tests.recognition_helpers import grant_at, make_volunteer


def board(api, user=None, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = api.get(f"/leaderboards?{query}", user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def names(body):
    return [row["user_id"] for row in body["items"]]


def test_order_ties_and_my_rank(api, demo):
    a, _ = make_volunteer(demo.village_a, "甲一")
    b, _ = make_volunteer(demo.village_a, "乙二")
    c, _ = make_volunteer(demo.village_a2, "丙三")
    d, _ = make_volunteer(demo.village_b, "丁四")
    grant_at("2026-03-10T02:00:00+08:00", b, 10, demo.village_a)
    grant_at("2026-03-10T03:00:00+08:00", a, 6, demo.village_a)
    grant_at("2026-03-10T04:00:00+08:00", a, 4, demo.village_a)  # a reaches 10 after b
    grant_at("2026-03-10T05:00:00+08:00", c, 12, demo.village_a2)
    grant_at("2026-03-10T06:00:00+08:00", d, 30, demo.village_b)

    village = board(api, a, region_id=demo.village_a.id, period="day", date="2026-03-10")
    assert names(village) == [b.id, a.id]
    assert [r["rank"] for r in village["items"]] == [1, 2]
    assert village["items"][0]["display_name"] == "乙*" and village["items"][0]["points"] == 10
    assert village["items"][0]["village_name"] == "龙津社区"
    assert village["me"]["rank"] == 2 and village["me"]["points"] == 10
    assert village["total"] == 2 and village["region"]["level"] == "village"
    assert village["period_key"] == "2026-03-10" and village["period_label"] == "2026年3月10日"
    assert village["starts_at"] == "2026-03-10T00:00:00+08:00"
    assert village["ends_at"] == "2026-03-11T00:00:00+08:00"

    township = board(api, a, region_id=demo.township_a.id, period="week", date="2026-03-10")
    assert names(township) == [c.id, b.id, a.id]  # d is in another township
    assert township["me"]["rank"] == 3
    city = board(api, d, region_id=demo.city.id, period="month", date="2026-03-31")
    assert names(city) == [d.id, c.id, b.id, a.id]
    assert city["me"]["rank"] == 1 and city["period_key"] == "2026-03"
    # defaults: the city, this month; no token → no "me"
    with_defaults = api.get("/leaderboards?date=2026-03-15").get_json()
    assert with_defaults["region"]["id"] == demo.city.id and with_defaults["period"] == "month"
    assert names(with_defaults) == names(city) and with_defaults["me"] is None
    # paging keeps ranks global
    second = board(api, region_id=demo.city.id, period="all", page=2, page_size=2)
    assert [r["rank"] for r in second["items"]] == [3, 4] and names(second) == [b.id, a.id]


def test_equal_time_ties_fall_back_to_user_id(api, demo):
    first, _ = make_volunteer(demo.village_a, "先一")
    second, _ = make_volunteer(demo.village_a, "后二")
    grant_at("2026-05-01T10:00:00+08:00", second, 8, demo.village_a)
    grant_at("2026-05-01T10:00:00+08:00", first, 8, demo.village_a)
    body = board(api, second, region_id=demo.village_a.id, period="year", date="2026-05-01")
    assert names(body) == [first.id, second.id] and body["me"]["rank"] == 2


@pytest.mark.parametrize(
    "before,after,period",
    [
        # 23:59:59 and 00:00:00 China time on either side of midnight (16:00 UTC)
        ("2026-03-09T15:59:59+00:00", "2026-03-09T16:00:00+00:00", "day"),
        # Sunday night → Monday morning: a new ISO week
        ("2026-03-15T23:59:59+08:00", "2026-03-16T00:00:00+08:00", "week"),
        # last second of March → first of April: new month and new quarter
        ("2026-03-31T23:59:59+08:00", "2026-04-01T00:00:00+08:00", "quarter"),
        ("2026-03-31T23:59:59+08:00", "2026-04-01T00:00:00+08:00", "month"),
        # New Year in China while it is still 31 December in UTC
        ("2025-12-31T15:59:59+00:00", "2025-12-31T16:00:00+00:00", "year"),
    ],
)
def test_period_boundaries_are_cut_at_china_midnight(api, demo, before, after, period):
    early, _ = make_volunteer(demo.village_a, "早早")
    late, _ = make_volunteer(demo.village_a, "晚晚")
    grant_at(before, early, 5, demo.village_a)
    grant_at(after, late, 7, demo.village_a)
    from datetime import datetime

    from backend.utils import china_date

    day_before = china_date(datetime.fromisoformat(before)).isoformat()
    day_after = china_date(datetime.fromisoformat(after)).isoformat()
    old = board(api, region_id=demo.township_a.id, period=period, date=day_before)
    new = board(api, region_id=demo.township_a.id, period=period, date=day_after)
    assert names(old) == [early.id] and names(new) == [late.id]
    assert old["period_key"] != new["period_key"]
    everything = board(api, region_id=demo.township_a.id, period="all")
    assert names(everything) == [late.id, early.id]


def test_suspended_deleted_and_non_positive_are_left_out(api, demo):
    top, top_v = make_volunteer(demo.village_a, "高分")
    gone, _ = make_volunteer(demo.village_a, "注销")
    mid, _ = make_volunteer(demo.village_a, "中分")
    low, _ = make_volunteer(demo.village_a, "低分")
    for user, amount in ((top, 50), (gone, 40), (mid, 30), (low, 5)):
        grant_at("2026-06-01T09:00:00+08:00", user, amount, demo.village_a)
    grant_at("2026-06-01T10:00:00+08:00", low, -5, demo.village_a, source="adjustment")
    top_v.status = "suspended"
    gone.status = "deleted"
    db.session.commit()
    body = board(api, top, region_id=demo.village_a.id, period="all")
    assert names(body) == [mid.id] and body["items"][0]["rank"] == 1 and body["total"] == 1
    assert body["me"] is None  # a suspended volunteer has no place
    assert board(api, low, region_id=demo.village_a.id, period="all")["me"] is None


@pytest.mark.parametrize(
    "query,field",
    [
        ("period=decade", "period"),
        ("date=2026-13-01", "date"),
        ("region_id=abc", "region_id"),
        ("page_size=500", "page_size"),
    ],
)
def test_validation(api, demo, query, field):
    response = api.get(f"/leaderboards?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_region_must_be_a_village_township_or_city(api, demo):
    grid = demo.region("360981001001G01")
    response = api.get(f"/leaderboards?region_id={grid.id}")
    assert response.status_code == 422 and "region_id" in response.get_json()["errors"]
    assert api.get("/leaderboards?region_id=999999").status_code == 404
    deep = api.get(f"/leaderboards?region_id={demo.city.id}&page=11&page_size=100")
    assert deep.status_code == 422 and "page" in deep.get_json()["errors"]


def test_board_has_no_n_plus_one(api, demo):
    users = [make_volunteer(demo.village_a, f"测{i}")[0] for i in range(8)]
    for i, user in enumerate(users):
        grant_at("2026-07-01T09:00:00+08:00", user, 10 + i, demo.village_a)
    headers = api.headers(users[0])
    city_id = demo.city.id
    statements = []

    def count(*_args):
        statements.append(1)

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        small = api.client.get(
            f"/api/v1/leaderboards?region_id={city_id}&period=all&page_size=2",
            headers=headers,
        )
        n_small = len(statements)
        statements.clear()
        db.session.remove()
        large = api.client.get(
            f"/api/v1/leaderboards?region_id={city_id}&period=all&page_size=8",
            headers=headers,
        )
        n_large = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(large.get_json()["items"]) == 8 and len(small.get_json()["items"]) == 2
    assert n_large == n_small, (n_small, n_large)
