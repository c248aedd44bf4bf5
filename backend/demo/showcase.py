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
from backend.utils import CHINA_TZ, backdated, china_today, utcnow

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

# Six months of regular duties: (title, weekday 0=Mon, China start hour, hours, village code,
# organiser, category, points, every n weeks, description). Sessions lie strictly before today.
HISTORY_WEEKS = 26
PAST_SERIES = [
    (
        "龙津社区周末平安巡逻",
        5,
        8,
        7,
        "360981001001",
        "demo-village-admin",
        "patrol",
        20,
        1,
        "每周六例行开展,沿滨江路、龙津市场重点路段巡查,记录并上报发现的隐患。",
    ),
    (
        "白土村防汛安全值守",
        5,
        14,
        3,
        "360981101001",
        "demo-village-admin-2",
        "safety_check",
        8,
        2,
        "巡查沿河堤段和低洼住户,检查排水设施,登记隐患点位。",
    ),
    (
        "新城社区夜间治安巡逻",
        2,
        19,
        2,
        "360981001002",
        "demo-township-admin",
        "patrol",
        6,
        2,
        "晚饭后沿新城社区主干道和背街小巷巡逻,提醒关好门窗、电动车规范充电。",
    ),
]
# login → {series index: how many of its most recent sessions they attended}
PAST_ATTENDEES = {
    "demo-volunteer": {0: 24},
    "demo-volunteer-2": {0: 14, 2: 6},
    "demo-volunteer-3": {0: 4, 2: 13},
    "demo-police": {0: 6},
    "demo-volunteer-4": {1: 12},
    "demo-volunteer-5": {1: 7},
}


def past_sessions(today: date) -> list[tuple[int, date]]:
    """(series index, day) of every past session, oldest first within a series."""
    sessions = []
    for index, (_t, weekday, _h, _n, _c, _o, _k, _p, every, _d) in enumerate(PAST_SERIES):
        last = today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
        days = [last - timedelta(weeks=w) for w in range(0, HISTORY_WEEKS, every)]
        sessions.extend((index, day) for day in reversed(days))
    return sessions


# Service requests of the past months in 龙津社区, each handled by the grid worker:
# (days ago, China hour, category, urgency, description, address, rating, comment)
PAST_REQUESTS = [
    (
        170,
        9,
        "hazard",
        "normal",
        "沿江路护栏松动,晚上散步的老人多,容易出危险。",
        "沿江路 3 号",
        5,
        "修得很快",
    ),
    (
        150,
        15,
        "help",
        "normal",
        "独居老人家门锁坏了,进不了门,请帮忙联系开锁。",
        "龙津东路 15 栋",
        5,
        "谢谢网格员",
    ),
    (
        128,
        10,
        "dispute",
        "normal",
        "楼上装修噪音大,中午也不停工,沟通无果。",
        "滨江花园 6 栋",
        4,
        "已经安静多了",
    ),
    (
        105,
        20,
        "hazard",
        "urgent",
        "小区电动车在楼道里充电,电线拖得很长。",
        "龙津西路 22 号",
        5,
        "处理及时",
    ),
    (
        84,
        8,
        "tip_off",
        "normal",
        "有人在菜市场门口向老人推销保健品,疑似诈骗。",
        "龙津市场",
        5,
        "",
    ),
    (63, 16, "help", "normal", "下水道堵塞,雨天门口积水严重。", "龙津东路 8 栋", 3, "处理慢了点"),
    (41, 9, "hazard", "normal", "公园健身器材螺丝脱落,孩子玩耍有危险。", "龙津公园", 5, "点赞"),
    (24, 19, "dispute", "normal", "邻居家狗夜里一直叫,影响休息。", "滨江花园 2 栋", 4, ""),
    (
        9,
        10,
        "suggestion",
        "normal",
        "建议在龙津市场东门增设一处消防器材箱。",
        "龙津市场东门",
        5,
        "采纳了,很好",
    ),
]


def seed_showcase() -> dict[str, int]:
    """Add the showcase data that is missing; return how many of each part were written."""
    if _user("demo-city-admin") is None:
        return {}  # the demo county is not loaded
    with content.trusted_text():
        return {
            "funds": _seed_funds(),
            "service_requests": _seed_requests(),
            "past_activities": _seed_past_activities(),
            "past_requests": _seed_past_requests(),
            "award_types": _seed_awards(),
            "bulletins": _seed_bulletins(),
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
    """Six months of the series, replayed on their own dates (backdated): check-ins, hours and
    points land in the day, week and month they happened in."""
    first_title = PAST_SERIES[0][0]
    if db.session.scalar(select(Activity.id).where(Activity.title.startswith(first_title))):
        return 0
    written = 0
    sessions = past_sessions(_today())
    for index, series in enumerate(PAST_SERIES):
        title, _weekday, hour, hours, code, organiser_login, category, points, _every, text = series
        organiser = _user(organiser_login)
        region = _region(code)
        team = db.session.scalar(select(Team).where(Team.region_id == region.id))
        days = [day for i, day in sessions if i == index]
        volunteer_ids = dict(
            db.session.execute(
                select(Volunteer.user_id, Volunteer.id).where(Volunteer.user_id.is_not(None))
            ).all()
        )
        for number, day in enumerate(days, start=1):
            start = datetime.combine(day, time(hour), tzinfo=CHINA_TZ)
            end = start + timedelta(hours=hours)
            activity = _past_activity(
                organiser, region, team, f"{title}(第{number}期)", category, start, hours, points
            )
            activity.description = text
            from_end = len(days) - number  # 0 for the latest session
            people = [
                person
                for login, attended in PAST_ATTENDEES.items()
                if from_end < attended.get(index, 0) and (person := _user(login)) is not None
            ]
            enrollments = []
            with backdated(start - timedelta(days=3)):
                for person in people:
                    enrollment = Enrollment(
                        activity_id=activity.id,
                        user_id=person.id,
                        volunteer_id=volunteer_ids.get(person.id),
                        status="enrolled",
                        queued_at=start - timedelta(days=3),
                    )
                    db.session.add(enrollment)
                    enrollments.append(enrollment)
                db.session.flush()
            with backdated(start + timedelta(minutes=5)):
                for enrollment in enrollments:
                    attendance.manual_check_in(
                        organiser, activity.id, enrollment.id, "演示数据:纸质签到补录"
                    )
                    db.session.expire(enrollment)  # its (view-only) attendance was read as None
            with backdated(end):
                for enrollment in enrollments:
                    attendance.manual_check_out(
                        organiser, activity.id, enrollment.id, "演示数据:纸质签到补录"
                    )
            activity.enrolled_count = len(people)
            with backdated(end + timedelta(minutes=10)):
                activities.complete(organiser, activity.id)
            written += 1
    return written


def _seed_past_requests() -> int:
    """Requests of the past months, submitted, claimed, resolved and rated on their dates."""
    first = PAST_REQUESTS[0][4]
    if db.session.scalar(select(ServiceRequest.id).where(ServiceRequest.description == first)):
        return 0
    resident, worker = _user("demo-resident"), _user("demo-grid-worker")
    resident.consent_version = current_app.config["PRIVACY_NOTICE_VERSION"]
    grid = _region(GRID)
    lat, lng = COORDINATES["360981001001"]
    today = _today()
    for days, hour, category, urgency, text, address, score, comment in PAST_REQUESTS:
        moment = datetime.combine(today - timedelta(days=days), time(hour), tzinfo=CHINA_TZ)
        with backdated(moment):
            req = service_requests.submit(
                resident,
                {
                    "region_id": grid.id,
                    "category": category,
                    "urgency": urgency,
                    "description": text,
                    "address": address,
                    "latitude": lat,
                    "longitude": lng,
                },
            )
        with backdated(moment + timedelta(minutes=25)):
            service_requests.claim(worker, req.id, "已联系居民,马上到现场")
        with backdated(moment + timedelta(hours=5)):
            service_requests.resolve(worker, req.id, "已到现场处理完毕,居民确认")
        with backdated(moment + timedelta(hours=20)):
            service_requests.rate(resident, req.id, score, comment)
    return len(PAST_REQUESTS)


def _seed_bulletins() -> int:
    """The bulletins the scheduler would have published, run at their own times: the daily best
    of the last week, this week's dispatch, last month's bulletin and last quarter's talks."""
    from backend.jobs import recognition

    if not db.session.scalar(select(Activity.id).where(Activity.status == "completed")):
        return 0
    now, today = utcnow(), _today()
    runs = [
        (recognition.daily_best, datetime.combine(today - timedelta(days=n), time(0, 10)))
        for n in range(6, -1, -1)
    ]
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    first_of_quarter = first_of_month.replace(month=(today.month - 1) // 3 * 3 + 1)
    runs += [
        (recognition.weekly_dispatch, datetime.combine(monday, time(8))),
        (recognition.monthly_bulletin, datetime.combine(first_of_month, time(8))),
        (recognition.quarterly_talks, datetime.combine(first_of_quarter, time(9))),
    ]
    published = 0
    for job, moment in runs:
        at = moment.replace(tzinfo=CHINA_TZ)
        if at > now:
            continue
        with backdated(at):
            summary = job()
        published += int(summary.get("published", 0) or 0)
    return published


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
