"""GET /bulletins, GET /bulletins/{id}, and quarterly talk outcomes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import AuditLog, Region
from backend.services import bulletins


def publish(kind, region, day, **content):
    bulletin = bulletins.publish(
        kind,
        db.session.get(Region, region.id),
        day,
        title=f"测试{kind}",
        summary="摘要",
        content_json=content,
    )
    db.session.commit()
    return bulletin


def test_list_filters_and_detail(api, demo):
    daily = publish("daily_best", demo.township_a, date(2026, 3, 9), entries=[])
    publish("daily_best", demo.township_b, date(2026, 3, 9), entries=[])
    talks = publish("quarterly_talks", demo.city, date(2026, 3, 31), subjects=[])
    assert publish("daily_best", demo.township_a, date(2026, 3, 9)) is None  # once per period
    everything = api.get("/bulletins").get_json()
    assert everything["total"] == 3
    kinds = api.get("/bulletins?kind=daily_best").get_json()
    assert kinds["total"] == 2 and kinds["items"][0]["kind_name"] == "日评优"
    scoped = api.get(f"/bulletins?region_id={demo.township_a.id}").get_json()
    assert [b["id"] for b in scoped["items"]] == [daily.id]
    by_key = api.get("/bulletins?period_key=2026-Q1").get_json()
    assert [b["id"] for b in by_key["items"]] == [talks.id]
    detail = api.get(f"/bulletins/{daily.id}").get_json()
    assert detail["content"] == {"entries": []} and detail["region_name"] == "剑光街道"
    assert "content" not in everything["items"][0]
    assert api.get("/bulletins/99999").status_code == 404
    assert api.get("/bulletins?kind=weekly").status_code == 422


def quarterly(demo):
    subjects = [
        {
            "type": "village",
            "id": demo.village_a.id,
            "name": "龙津社区",
            "region_id": demo.village_a.id,
        },
        {
            "type": "village",
            "id": demo.village_b.id,
            "name": "白土村",
            "region_id": demo.village_b.id,
        },
    ]
    return publish("quarterly_talks", demo.city, date(2026, 3, 31), subjects=subjects)


@pytest.mark.parametrize(
    "who,expected",
    [
        ("demo-resident", 403),
        ("demo-village-admin", 403),
        ("demo-township-admin", 200),
        ("demo-township-admin-2", 404),
        ("demo-city-admin", 200),
    ],
)
def test_talk_outcome_matrix(api, demo, who, expected):
    bulletin = quarterly(demo)
    body = {
        "subject_type": "village",
        "subject_id": demo.village_a.id,
        "outcome": "已约谈,限期整改",
    }
    response = api.post(f"/bulletins/{bulletin.id}/talks", demo.user(who), json=body)
    assert response.status_code == expected, response.get_json()


def test_talk_outcome_record_update_and_list(api, demo):
    bulletin = quarterly(demo)
    township = demo.user("demo-township-admin")
    body = {
        "subject_type": "village",
        "subject_id": demo.village_a.id,
        "outcome": "已约谈村支书,限期一个月整改",
        "talked_at": "2026-04-08T10:00:00+08:00",
    }
    first = api.post(f"/bulletins/{bulletin.id}/talks", township, json=body)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["talked_at"] == "2026-04-08T10:00:00+08:00"
    updated = api.post(
        f"/bulletins/{bulletin.id}/talks", township, json={**body, "outcome": "整改已完成"}
    )
    assert updated.get_json()["id"] == first.get_json()["id"]
    assert updated.get_json()["outcome"] == "整改已完成"
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "bulletin.talk")).all()
    assert log[-1].before["outcome"] == "已约谈村支书,限期一个月整改"
    unlisted = api.post(
        f"/bulletins/{bulletin.id}/talks",
        township,
        json={**body, "subject_id": demo.village_a2.id},
    )
    assert unlisted.status_code == 422 and unlisted.get_json()["code"] == "talk_subject_not_listed"
    for field, value in (("subject_type", "team"), ("outcome", ""), ("recorded_by_id", 1)):
        bad = api.post(f"/bulletins/{bulletin.id}/talks", township, json={**body, field: value})
        assert bad.status_code == 422 and field in bad.get_json()["errors"]
    api.post(
        f"/bulletins/{bulletin.id}/talks",
        demo.user("demo-city-admin"),
        json={**body, "subject_id": demo.village_b.id, "outcome": "已约谈"},
    )
    mine = api.get(f"/bulletins/{bulletin.id}/talks", township).get_json()
    assert [t["subject_id"] for t in mine["items"]] == [demo.village_a.id]
    everyone = api.get(f"/bulletins/{bulletin.id}/talks", demo.user("demo-city-admin")).get_json()
    assert everyone["total"] == 2
    daily = publish("daily_best", demo.township_a, date(2026, 3, 9), entries=[])
    wrong = api.post(f"/bulletins/{daily.id}/talks", township, json=body)
    assert wrong.status_code == 422 and wrong.get_json()["code"] == "not_a_talk_list"
