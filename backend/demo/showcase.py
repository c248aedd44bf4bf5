"""Something to show for every mechanism in the demo county (``flask seed demo``, after the
county itself and the upcoming demo activities).

Everything that moves a ledger or a total goes through the real services (funds, expenses,
service requests, attendance, awards, points), so ``flask ledger check`` passes right after
seeding. Only what those services refuse by design is written directly: activities and
enrollments in the past (the services only accept future ones). Seed text is project-authored and
the WeChat checker is not reachable from a command-line run, so it is marked trusted
(``content.trusted_text``). Each part checks its own marker, so seeding again writes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from backend.demo.activities import COORDINATES, demo_activity
from backend.extensions import db
from backend.models import (
    Activity,
    AwardType,
    Enrollment,
    Fund,
    Region,
    ServiceRequest,
    Team,
    User,
    Volunteer,
)
from backend.services import (
    activities,
    attendance,
    awards,
    content,
    expenses,
    funds,
    service_requests,
)
from backend.utils import CHINA_TZ, china_today

# --- funds ------------------------------------------------------------------------------------

TOWNSHIP_FUND = ("360981001", "剑光街道平安联盟基金", "巡防装备、志愿者保险与表彰奖励")
VILLAGE_FUND = ("360981001001", "龙津社区平安互助金", "社区巡逻物资、困难群众应急帮扶")
# (fund region code, days ago, donor type, donor name, anonymous, in kind, amount fen, channel,
#  receipt, item, note)
DONATIONS = [
    (
        "360981001",
        40,
        "company",
        "丰城市鑫源建材有限公司",
        False,
        False,
        2000000,
        "bank_transfer",
        "JG-2026-001",
        "",
        "支持街道平安巡防",
    ),
    (
        "360981001",
        25,
        "person",
        "黄志明",
        False,
        False,
        50000,
        "wechat_transfer",
        "JG-2026-002",
        "",
        "",
    ),
    ("360981001", 12, "person", "", True, False, 20000, "cash", "JG-2026-003", "", "匿名爱心捐款"),
    (
        "360981001001",
        30,
        "organisation",
        "龙津商会",
        False,
        False,
        800000,
        "bank_transfer",
        "LJ-2026-001",
        "",
        "商户联防联治",
    ),
    ("360981001001", 20, "person", "吴秀兰", False, False, 30000, "cash", "LJ-2026-002", "", ""),
    (
        "360981001001",
        15,
        "person",
        "",
        True,
        False,
        10000,
        "wechat_transfer",
        "LJ-2026-003",
        "",
        "",
    ),
    (
        "360981001001",
        8,
        "company",
        "龙津大药房",
        False,
        True,
        120000,
        None,
        "LJ-2026-004",
        "急救包 40 个、防暑药品 2 箱",
        "用于夏季巡逻",
    ),
]
# (submitter login, approver login, amount fen, category, purpose, payee, paid?)
EXPENSES = [
    (
        "demo-village-admin",
        "demo-township-admin",
        168000,
        "equipment",
        "采购巡逻用强光手电 20 支、反光背心 40 件",
        "丰城市安达劳保用品店",
        True,
    ),
    ("demo-village-admin", None, 36000, "meals", "夜间巡逻志愿者餐补(本月)", "龙津社区食堂", False),
]

# --- service requests -------------------------------------------------------------------------

GRID = "360981001001G01"
# (key, category, urgency, description, address, what happens next)
REQUESTS = [
    (
        "submitted",
        "hazard",
        "normal",
        "滨江路 12 号楼道内堆放大量纸箱和电动车电池,存在火灾隐患。",
        "滨江路 12 号",
        [],
    ),
    (
        "assigned",
        "help",
        "normal",
        "独居老人家中水管漏水,老人行动不便,希望帮忙联系维修。",
        "龙津东路 8 栋 2 单元",
        ["assign"],
    ),
    (
        "rated",
        "hazard",
        "urgent",
        "龙津市场东门路灯损坏,晚上一片漆黑,行人容易摔倒。",
        "龙津市场东门",
        ["claim", "resolve", "rate"],
    ),
    (
        "escalated",
        "dispute",
        "normal",
        "小区旁工地夜间施工噪音扰民,与施工方多次沟通未果,涉及街道审批事项。",
        "龙津西路在建工地",
        ["escalate"],
    ),
]

# --- recognition ------------------------------------------------------------------------------

# (name, tier, target kind, points, description)
AWARD_TYPES = [
    ("月度平安之星", "village", "volunteer", 50, "每月评选服务表现突出的平安志愿者"),
    ("优秀平安志愿者", "township", "volunteer", 200, "年度服务时长多、群众评价好的志愿者"),
    ("优秀网格员", "township", "volunteer", 200, "网格服务响应及时、群众满意度高"),
    ("先进集体", "city", "team", 100, "年度平安创建成效突出的志愿服务队"),
]

# --- past activities --------------------------------------------------------------------------

# Weekly Saturday duties over the past weeks: (weeks ago, title, hours, village code, organiser)
PAST_SERIES = [
    ("龙津社区周末平安巡逻", 7, "360981001001", "demo-village-admin", "patrol", 20),
    ("白土村防汛安全值守", 6, "360981101001", "demo-village-admin-2", "safety_check", 8),
]
# login → (series index, weeks attended out of the last ``WEEKS``)
PAST_ATTENDEES = {
    "demo-volunteer": (0, 16),
    "demo-volunteer-2": (0, 9),
    "demo-volunteer-3": (0, 4),
    "demo-police": (0, 3),
    "demo-volunteer-4": (1, 12),
    "demo-volunteer-5": (1, 6),
}
WEEKS = 16


def seed_showcase() -> dict[str, int]:
    """Add the showcase data that is missing; return how many of each part were written."""
    if _user("demo-city-admin") is None:
        return {}  # the demo county is not loaded
    with content.trusted_text():
        return {
            "funds": _seed_funds(),
            "service_requests": _seed_requests(),
            "past_activities": _seed_past_activities(),
            "award_types": _seed_awards(),
        }


def _user(login: str) -> User | None:
    return db.session.scalar(select(User).where(User.openid == f"sandbox-{login}"))


def _region(code: str) -> Region:
    return db.session.scalar(select(Region).where(Region.code == code))


def _today() -> date:
    return china_today()


def _seed_funds() -> int:
    if db.session.scalar(select(Fund.id).where(Fund.name == TOWNSHIP_FUND[1])) is not None:
        return 0
    city_admin, township_admin = _user("demo-city-admin"), _user("demo-township-admin")
    fund_ids = {}
    for opener, (code, name, purpose) in (
        (city_admin, TOWNSHIP_FUND),
        (township_admin, VILLAGE_FUND),
    ):
        fund = funds.open_fund(
            opener, {"region_id": _region(code).id, "name": name, "purpose": purpose}
        )
        db.session.flush()
        fund_ids[code] = fund.id
    recorder = {"360981001": township_admin, "360981001001": _user("demo-village-admin")}
    for (
        code,
        days,
        donor_type,
        donor,
        anonymous,
        in_kind,
        fen,
        channel,
        receipt,
        item,
        note,
    ) in DONATIONS:
        funds.record_donation(
            recorder[code],
            fund_ids[code],
            {
                "donor_type": donor_type,
                "donor_name": donor,
                "anonymous": anonymous,
                "in_kind": in_kind,
                "amount_fen": fen,
                "channel": channel,
                "receipt_no": receipt,
                "item_description": item,
                "note": note,
                "donated_on": _today() - timedelta(days=days),
            },
        )
    for submitter, approver, fen, category, purpose, payee, paid in EXPENSES:
        expense = expenses.submit(
            _user(submitter),
            fund_ids["360981001001"],
            {"amount_fen": fen, "category": category, "purpose": purpose, "payee": payee},
        )
        if approver:
            expenses.approve(_user(approver), expense.id, "符合基金用途,同意")
        if paid:
            expenses.pay(_user(approver), expense.id, "转账凭证 2026-LJ-01", "已转账")
    return len(fund_ids)


def _seed_requests() -> int:
    if db.session.scalar(
        select(ServiceRequest.id).where(ServiceRequest.description == REQUESTS[0][3])
    ):
        return 0
    resident = _user("demo-resident")
    grid_worker = _user("demo-grid-worker")
    village_admin = _user("demo-village-admin")
    # The resident accepted the privacy notice (submitting requires it).
    resident.consent_version = current_app.config["PRIVACY_NOTICE_VERSION"]
    grid = _region(GRID)
    lat, lng = COORDINATES["360981001001"]
    for _key, category, urgency, description, address, steps in REQUESTS:
        req = service_requests.submit(
            resident,
            {
                "region_id": grid.id,
                "category": category,
                "urgency": urgency,
                "description": description,
                "address": address,
                "latitude": lat,
                "longitude": lng,
            },
        )
        for step in steps:
            if step == "assign":
                service_requests.assign(
                    village_admin, req.id, grid_worker.id, "请网格员今天上门查看"
                )
            elif step == "claim":
                service_requests.claim(grid_worker, req.id, "已联系供电所")
            elif step == "resolve":
                service_requests.resolve(grid_worker, req.id, "供电所已更换灯具,照明恢复正常")
            elif step == "rate":
                service_requests.rate(resident, req.id, 5, "处理很及时,谢谢网格员!")
            elif step == "escalate":
                service_requests.escalate(
                    village_admin, req.id, "涉及建筑工地夜间施工审批,需街道协调"
                )
    return len(REQUESTS)


def _seed_past_activities() -> int:
    first_title = PAST_SERIES[0][0]
    if db.session.scalar(select(Activity.id).where(Activity.title.startswith(first_title))):
        return 0
    today = _today()
    # The Saturdays before today (never today: check-out must lie in the past).
    last_saturday = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
    written = 0
    for index, (title, hours, code, organiser_login, category, points) in enumerate(PAST_SERIES):
        organiser = _user(organiser_login)
        region = _region(code)
        team = db.session.scalar(select(Team).where(Team.region_id == region.id))
        attendees = [
            (login, weeks)
            for login, (series, weeks) in PAST_ATTENDEES.items()
            if series == index and _user(login) is not None
        ]
        for week in range(WEEKS, 0, -1):
            day = last_saturday - timedelta(weeks=week - 1)
            start = datetime.combine(day, time(8), tzinfo=CHINA_TZ)
            activity = _past_activity(
                organiser,
                region,
                team,
                f"{title}(第{WEEKS - week + 1}期)",
                category,
                start,
                hours,
                points,
            )
            # Volunteer i attends the most recent ``weeks`` sessions of the series.
            people = [_user(login) for login, weeks in attendees if week <= weeks]
            for person in people:
                enrollment = Enrollment(
                    activity_id=activity.id,
                    user_id=person.id,
                    volunteer_id=db.session.scalar(
                        select(Volunteer.id).where(Volunteer.user_id == person.id)
                    ),
                    status="enrolled",
                    queued_at=start - timedelta(days=3),
                )
                db.session.add(enrollment)
                db.session.flush()
                attendance.manual_check_in(
                    organiser,
                    activity.id,
                    enrollment.id,
                    "演示数据:纸质签到补录",
                    at=start + timedelta(minutes=5),
                )
                db.session.expire(enrollment)  # its (view-only) attendance was read as None
                attendance.manual_check_out(
                    organiser,
                    activity.id,
                    enrollment.id,
                    "演示数据:纸质签到补录",
                    at=start + timedelta(hours=hours),
                )
            activity.enrolled_count = len(people)
            activities.complete(organiser, activity.id)
            written += 1
    return written


def _past_activity(
    organiser: User,
    region: Region,
    team: Team | None,
    title: str,
    category: str,
    start: datetime,
    hours: int,
    points: int,
) -> Activity:
    activity = demo_activity(
        organiser,
        region,
        team,
        title=title,
        description="每周六例行开展,沿重点路段巡查,记录并上报发现的隐患。",
        category=category,
        start=start,
        hours=hours,
        capacity=None,
        points_mode="fixed",
        points=points,
        enroll_deadline=start - timedelta(days=1),
        published_at=start - timedelta(days=7),
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def _seed_awards() -> int:
    if db.session.scalar(select(AwardType.id).where(AwardType.name == AWARD_TYPES[0][0])):
        return 0
    city_admin = _user("demo-city-admin")
    types = {}
    for name, tier, target_kind, points, description in AWARD_TYPES:
        types[name] = awards.create_award_type(
            city_admin,
            {
                "name": name,
                "tier": tier,
                "target_kind": target_kind,
                "points": points,
                "description": description,
            },
        )
    village_admin, township_admin = _user("demo-village-admin"), _user("demo-township-admin")
    star = _volunteer_id("demo-volunteer")
    month = _today().replace(day=1) - timedelta(days=1)
    label = f"{month.year}年{month.month}月"
    # Last month's star: nominated by the village council, approved by the township.
    nomination = awards.nominate(
        village_admin,
        {
            "award_type_id": types["月度平安之星"].id,
            "target_id": star,
            "reason": "坚持每周六参加社区巡逻,累计服务超过 100 小时,多次劝阻危险行为。",
            "period_label": label,
        },
    )
    awards.approve(township_admin, nomination.id, "事迹属实,同意表彰")
    # Pending for the township admin's approval queue.
    awards.nominate(
        village_admin,
        {
            "award_type_id": types["月度平安之星"].id,
            "target_id": _volunteer_id("demo-volunteer-2"),
            "reason": "热心调解邻里纠纷,本月成功调解 3 起。",
            "period_label": label,
        },
    )
    return len(types)


def _volunteer_id(login: str) -> int:
    return db.session.scalar(
        select(Volunteer.id)
        .join(User, User.id == Volunteer.user_id)
        .where(User.openid == f"sandbox-{login}")
    )
