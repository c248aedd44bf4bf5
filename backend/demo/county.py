"""The demo county (丰城市) used by ``flask seed demo``, ``make run`` and the demo walkthrough.

Demo users log in through the WeChat sandbox: login code ``<name>`` → openid ``sandbox-<name>``.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.models import Consent, Region, Team, User, Volunteer
from backend.privacy import blind_index, encrypt, id_number_with_check_digit, mask_name
from backend.services.regions import create_region
from backend.services.roles import grant_role
from backend.utils import utcnow

CITY = ("360981", "丰城市")
# township code, name, [(village code suffix, name)]
TOWNSHIPS = [
    ("001", "剑光街道", [("001", "龙津社区"), ("002", "新城社区"), ("003", "紫云社区")]),
    ("002", "河洲街道", [("001", "河洲村"), ("002", "沿江社区")]),
    ("101", "白土镇", [("001", "白土村"), ("002", "湖塘村")]),
    ("102", "小港镇", [("001", "小港村"), ("002", "石滩村")]),
]
GRIDS_PER_VILLAGE = 2

# (login name, nickname, role, region code) — every code below is a WeChat sandbox login code.
STAFF = [
    ("demo-city-admin", "市综治中心-王主任", "city_admin", "360981"),
    ("demo-township-admin", "剑光街道综治中心-李主任", "township_admin", "360981001"),
    ("demo-township-admin-2", "白土镇综治中心-周主任", "township_admin", "360981101"),
    ("demo-village-admin", "龙津社区理事会-陈会长", "village_admin", "360981001001"),
    ("demo-village-admin-2", "白土村理事会-刘会长", "village_admin", "360981101001"),
    ("demo-grid-worker", "龙津一网格-网格员赵敏", "grid_worker", "360981001001G01"),
    ("demo-police", "龙津社区辅警-孙强", "auxiliary_police", "360981001001"),
]
# (login name, real name, village code, skills)
VOLUNTEERS = [
    ("demo-volunteer", "张晓燕", "360981001001", ["巡防员", "宣传员"]),
    ("demo-volunteer-2", "李建国", "360981001001", ["调解员", "信息员"]),
    ("demo-volunteer-3", "王芳", "360981001002", ["服务员", "医疗救护"]),
    ("demo-volunteer-4", "刘洋", "360981101001", ["安全员", "应急救援"]),
    ("demo-volunteer-5", "陈静", "360981101001", ["宣传员", "文艺宣传"]),
]
RESIDENTS = [("demo-resident", "热心居民小周")]


def seed_demo() -> bool:
    """Load the demo county unless it is there already; return whether anything was written."""
    if db.session.scalar(select(Region.id).where(Region.code == CITY[0])) is not None:
        return False
    city = create_region(CITY[0], CITY[1], "city")
    regions: dict[str, Region] = {city.code: city}
    for t_code, t_name, villages in TOWNSHIPS:
        township = create_region(city.code + t_code, t_name, "township", city)
        regions[township.code] = township
        for v_code, v_name in villages:
            village = create_region(township.code + v_code, v_name, "village", township)
            regions[village.code] = village
            for n in range(1, GRIDS_PER_VILLAGE + 1):
                grid = create_region(
                    f"{village.code}G{n:02d}", f"{v_name}第{n}网格", "grid", village
                )
                regions[grid.code] = grid

    teams = {
        "360981001": Team(
            name="剑光街道平安巡防队",
            region_id=regions["360981001"].id,
            description="夜间巡逻、重点时段治安巡防",
        ),
        "360981001001": Team(
            name="龙津社区红袖标志愿服务队",
            region_id=regions["360981001001"].id,
            description="社区巡查、矛盾调解、政策宣传",
        ),
        "360981101": Team(
            name="白土镇应急救援志愿队",
            region_id=regions["360981101"].id,
            description="防汛抗旱、应急救援",
        ),
    }
    db.session.add_all(teams.values())

    for name, nickname, role, region_code in STAFF:
        user = _user(name, nickname)
        grant_role(user, role, regions[region_code])
    for i, (name, real_name, village_code, skills) in enumerate(VOLUNTEERS, start=1):
        user = _user(name, real_name[0] + "志愿者")
        user.region_id = regions[village_code].id
        # They applied as volunteers, so they accepted the current privacy notice.
        version = current_app.config["PRIVACY_NOTICE_VERSION"]
        user.consent_version, user.consented_at = version, utcnow()
        db.session.add(Consent(user_id=user.id, version=version, ip="seed"))
        id_number = id_number_with_check_digit(f"36098119{80 + i:02d}0{i % 9 + 1}1{i:01d}{i:03d}")
        team = teams.get(village_code) or teams.get(village_code[:9])
        volunteer = Volunteer(
            user_id=user.id,
            real_name_enc=encrypt(real_name),
            display_name=mask_name(real_name),
            phone_enc=encrypt(f"1390795{i:04d}"),
            id_number_enc=encrypt(id_number),
            id_number_hash=blind_index(id_number),
            region_id=regions[village_code].id,
            team_id=team.id if team else None,
            skills=skills,
            availability="周末及工作日晚上",
            status="approved",
            reviewed_at=utcnow(),
        )
        db.session.add(volunteer)
        db.session.flush()
        volunteer.number = f"PA{volunteer.reviewed_at.year}{volunteer.id:07d}"
    for name, nickname in RESIDENTS:
        _user(name, nickname)
    db.session.flush()
    return True


def _user(login_name: str, nickname: str) -> User:
    user = User(openid=f"sandbox-{login_name}", nickname=nickname)
    db.session.add(user)
    db.session.flush()
    return user
