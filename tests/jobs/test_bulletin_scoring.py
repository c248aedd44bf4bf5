"""Village scoring in bulletins, on a frozen clock: a village where nothing happened does not
score 100, nobody is "the highest-scoring" when everyone scored 0, and the formula is in the
OpenAPI description."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select

from backend.extensions import db
from backend.models import Bulletin, Volunteer
from tests.assessment_helpers import activity, attend
from tests.recognition_helpers import make_volunteer


def monthly(at: str = "2026-04-01T08:00:00+08:00") -> dict[int, Bulletin]:
    from backend.jobs import recognition

    with freeze_time(at):
        recognition.monthly_bulletin()
        db.session.commit()
    return {
        b.region_id: b
        for b in db.session.scalars(select(Bulletin).where(Bulletin.kind == "monthly"))
    }


def test_active_volunteers_alone_do_not_make_a_village_perfect(app, demo):
    """新城社区 held no activity and had no request; its two volunteers served in 龙津社区."""
    organiser = demo.user("demo-village-admin")
    patrol = activity(demo.village_a, organiser, "2026-03-10 19:00")
    newcomer, _ = make_volunteer(demo.village_a2, "吴一")
    wang = db.session.scalar(
        select(Volunteer.user_id).where(
            Volunteer.region_id == demo.village_a2.id, Volunteer.user_id != newcomer.id
        )
    )
    attend(patrol, newcomer, 60)
    attend(patrol, demo.user("demo-volunteer-3"), 60)
    assert wang == demo.user("demo-volunteer-3").id
    db.session.commit()

    content = monthly()[demo.township_a.id].content
    rows = {v["name"]: v for v in content["village_ranking"]}
    xincheng = rows["新城社区"]
    assert xincheng["activities_held"] == 0 and xincheng["requests_resolved"] == 0
    # participation 100, activity 0 (target 4 a month); nothing else exists: mean 50
    assert xincheng["score"] == 50.0
    # 龙津社区: participation 0 of 2 registered (the servers are 新城's), one of 4 activities
    assert rows["龙津社区"]["score"] == 12.5
    assert rows["紫云社区"]["score"] == 0.0  # nothing at all
    assert content["village_ranking"][0]["name"] == "新城社区"


def test_nobody_is_highest_scoring_when_everyone_scored_zero(app, demo):
    published = monthly()
    for bulletin in published.values():
        assert all(v["score"] == 0.0 for v in bulletin.content["village_ranking"])
        assert "综合得分最高" not in bulletin.summary
        assert "village_ranking" not in [c["kind"] for c in bulletin.content["charts"]]


def test_one_patrol_names_its_village(app, demo):
    activity(demo.village_b, demo.user("demo-village-admin-2"), "2026-03-12 19:00")
    db.session.commit()
    summary = monthly()[demo.township_b.id].summary
    assert "综合得分最高的村(社区)为白土村" in summary


def test_the_formula_is_in_the_openapi_description(api):
    spec = api.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    row = next(s for name, s in schemas.items() if name.startswith("ScorecardRow"))
    score = row["properties"]["score"]["description"]
    assert "参与率、活动开展率" in score and "得 0 分" in score
    assert (
        "min(activities_held, activity_target)" in row["properties"]["activity_rate"]["description"]
    )
    detail = next(s for name, s in schemas.items() if name.startswith("BulletinDetail"))
    assert "参与率、活动开展率" in detail["properties"]["content"]["description"]
