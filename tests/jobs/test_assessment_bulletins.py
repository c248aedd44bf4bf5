"""The cadence bulletins 周调度、月通报、季约谈、年考评 from a frozen clock: the right people and
figures, charts stored and served, announcements, and a second run that publishes nothing."""

from __future__ import annotations

import io

from freezegun import freeze_time
from PIL import Image
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import Bulletin, Notification
from tests.assessment_helpers import GRID_A1, cn, march_scenario, request


def run(job: str, at: str) -> dict:
    from backend.jobs import recognition

    with freeze_time(at):
        summary = getattr(recognition, job)()
        db.session.commit()
    return summary


def bulletins_of(kind: str) -> dict[int, Bulletin]:
    return {
        b.region_id: b for b in db.session.scalars(select(Bulletin).where(Bulletin.kind == kind))
    }


def announced(bulletin: Bulletin) -> set[int]:
    return set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.kind == "bulletin_published",
                Notification.dedupe_key.like(f"bulletin:{bulletin.id}:%"),
            )
        )
    )


def test_weekly_dispatch(app, demo):
    people = march_scenario(demo)
    resident = demo.user("demo-resident")
    grid = demo.region(GRID_A1)
    # An unaccepted request escalated to the township, past its accept deadline.
    request(
        resident,
        grid,
        demo.village_a,
        "2026-03-14 10:00",
        status="submitted",
        tier="township",
        tier_region=demo.township_a,
    ).accept_due_at = None
    db.session.flush()
    fresh = request(resident, grid, demo.village_a, "2026-03-15 20:00", status="submitted")
    fresh.accept_due_at = cn("2026-03-16 12:00")  # not yet due at the 08:00 run
    db.session.commit()

    summary = run("weekly_dispatch", "2026-03-16T08:00:00+08:00")  # Monday of 2026-W12
    assert summary == {"week": "2026-W12", "published": 1, "skipped": 0}
    bulletin = bulletins_of("weekly_dispatch")[demo.village_a.id]
    assert bulletin.period_key == "2026-W12" and bulletin.title == "龙津社区2026年第12周周调度"
    content = bulletin.content
    assert content["counts"]["open"] == 3
    assert content["counts"]["overdue"] == 1  # r3: in progress past its 3-11 resolve deadline
    assert content["counts"]["by_tier"] == {"village": 2, "township": 1, "city": 0}
    # 3-9..3-15: r3, r4 and the two above received; r2 (3-9 08:00) and r4 resolved
    assert content["last_week"] == {"period_key": "2026-W11", "received": 4, "resolved": 2}
    first = content["requests"][0]
    assert first["overdue"] is True and first["status_name"] == "处理中"
    assert first["age_hours"] == 6 * 24  # 3-10 08:00 → 3-16 08:00
    ages = [r["age_hours"] for r in content["requests"][1:]]
    assert ages == sorted(ages, reverse=True)
    assert "description" not in first and "测试请求" not in str(content)
    assert announced(bulletin) == {
        demo.user("demo-village-admin").id,
        people["worker"].id,
    }

    again = run("weekly_dispatch", "2026-03-16T09:00:00+08:00")
    assert again == {"week": "2026-W12", "published": 0, "skipped": 1}
    assert db.session.scalar(select(func.count()).select_from(Bulletin)) == 1


def test_monthly_bulletin_with_charts(app, demo, api):
    people = march_scenario(demo)
    summary = run("monthly_bulletin", "2026-04-01T08:00:00+08:00")
    assert summary == {"period": "2026-03", "published": 5, "skipped": 0}  # city + 4 townships
    published = bulletins_of("monthly")
    assert {demo.city.id, demo.township_a.id, demo.township_b.id} <= set(published)
    jianguang = published[demo.township_a.id]
    assert jianguang.title == "剑光街道2026年3月月通报"
    content = jianguang.content
    assert content["figures"] == {
        "active_volunteers": 1,
        "service_hours": 2.0,
        "duty_hours": 1.0,
        "activities_held": 2,
        "requests_received": 4,
        "requests_resolved": 3,
        "on_time_rate": 66.7,
        "satisfaction": 4.0,
        "points": 40,
    }
    assert [(e["user_id"], e["points"]) for e in content["points_ranking"]] == [
        (people["v1"].id, 30),
        (people["v2"].id, 10),
    ]
    assert content["village_ranking"][0]["name"] == "龙津社区"
    assert content["village_ranking"][0]["score"] == 54.3
    # The public detail points at public chart routes: anyone may see a published bulletin's
    # charts, without logging in.
    detail = api.get(f"/bulletins/{jianguang.id}").get_json()
    for i, chart in enumerate(detail["content"]["charts"]):
        assert chart["url"] == f"/api/v1/bulletins/{jianguang.id}/charts/{i}"
        anonymous = api.client.get(chart["url"])
        assert anonymous.status_code == 200 and anonymous.mimetype == "image/png"
    missing = api.get(f"/bulletins/{jianguang.id}/charts/9")
    assert missing.status_code == 404 and missing.get_json()["code"] == "chart_not_found"
    assert [w["user_id"] for w in content["grid_worker_ranking"]] == [people["worker"].id]
    assert [t["month"] for t in content["trend"]] == [
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert content["trend"][-2]["service_hours"] == 1.5  # v1's February activity
    assert [c["kind"] for c in content["charts"]] == ["points_ranking", "village_ranking", "trend"]
    for chart in content["charts"]:
        response = api.client.get(chart["url"], headers=api.headers(demo.user("demo-resident")))
        assert response.status_code == 200 and response.mimetype == "image/png"
        image = Image.open(io.BytesIO(response.data))
        assert image.width > 400 and image.height > 200
    assert "龙津社区" in jianguang.summary and "钱**" in jianguang.summary

    city = published[demo.city.id].content
    assert city["figures"]["activities_held"] == 3  # 白土村's activity counts for the city
    assert announced(published[demo.city.id]) == {
        demo.user("demo-city-admin").id,
        demo.user("demo-township-admin").id,
        demo.user("demo-township-admin-2").id,
    }
    assert announced(jianguang) == {
        demo.user("demo-township-admin").id,
        demo.user("demo-village-admin").id,
    }

    again = run("monthly_bulletin", "2026-04-01T09:00:00+08:00")
    assert again == {"period": "2026-03", "published": 0, "skipped": 5}
    assert db.session.scalar(select(func.count()).select_from(Bulletin)) == 5


def test_quarterly_talks_list_the_lowest(app, demo, api):
    people = march_scenario(demo)
    summary = run("quarterly_talks", "2026-04-01T09:00:00+08:00")
    assert summary == {"quarter": "2026-Q1", "published": 4, "skipped": 0}
    talks = bulletins_of("quarterly_talks")
    jianguang = talks[demo.township_a.id].content["subjects"]
    # 新城社区 and 紫云社区 (no activity at all: 0) rank below 龙津社区.
    villages = [s for s in jianguang if s["type"] == "village"]
    assert [s["name"] for s in villages] == ["新城社区", "紫云社区"]
    assert all(s["score"] == 0.0 for s in villages)
    workers = [s for s in jianguang if s["type"] == "grid_worker"]
    assert [(s["id"], s["score"], s["overdue"]) for s in workers] == [
        (people["worker"].id, 60.0, 2)
    ]
    # 白土镇: 白土村 has v3's check-in (participation 33.3, one activity of 12 in the
    # quarter: 8.3) and ranks above 湖塘村 (0).
    baitu = talks[demo.township_b.id].content["subjects"]
    assert [s["name"] for s in baitu] == ["湖塘村", "白土村"]
    assert baitu[1]["score"] == 20.8
    # The township admin records the outcome of a listed subject through the existing route.
    bulletin_id = talks[demo.township_a.id].id
    response = api.post(
        f"/bulletins/{bulletin_id}/talks",
        demo.user("demo-township-admin"),
        json={
            "subject_type": "grid_worker",
            "subject_id": people["worker"].id,
            "outcome": "已约谈,要求按期办结",
        },
    )
    assert response.status_code == 200, response.get_json()
    assert announced(talks[demo.township_a.id]) >= {
        demo.user("demo-township-admin").id,
        demo.user("demo-city-admin").id,
        people["worker"].id,
    }
    again = run("quarterly_talks", "2026-04-01T10:00:00+08:00")
    assert again["published"] == 0 and again["skipped"] == 4


def test_annual_review(app, demo):
    march_scenario(demo)
    summary = run("annual_review", "2027-01-01T10:00:00+08:00")
    assert summary == {"period": "2026", "published": 5, "skipped": 0}
    city = bulletins_of("annual")[demo.city.id]
    assert city.period_key == "2026" and city.title == "丰城市2026年年度考评"
    content = city.content
    assert len(content["trend"]) == 12 and content["trend"][0]["month"] == "2026-01"
    assert content["figures"]["service_hours"] == 4.0  # 90 + 120 + 30 minutes
    assert content["figures"]["points"] == 40
    assert {c["kind"] for c in content["charts"]} == {"points_ranking", "village_ranking", "trend"}
    assert run("annual_review", "2027-01-01T11:00:00+08:00")["published"] == 0


def test_quiet_period_publishes_little(app, demo):
    # Nothing happened: no weekly dispatch anywhere; monthly bulletins still state the figures.
    assert run("weekly_dispatch", "2026-03-16T08:00:00+08:00")["published"] == 0
    summary = run("monthly_bulletin", "2026-04-01T08:00:00+08:00")
    assert summary["published"] == 5
    city = bulletins_of("monthly")[demo.city.id].content
    assert city["points_ranking"] == [] and city["figures"]["requests_received"] == 0
    # Every village scored 0: no village chart, and nobody is named the highest-scoring.
    assert [c["kind"] for c in city["charts"]] == ["trend"]
    assert "综合得分最高" not in bulletins_of("monthly")[demo.city.id].summary
