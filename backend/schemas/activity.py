"""Activity, enrollment, attendance and hours schemas."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.auth import current_user
from backend.models.activity import (
    ACTIVITY_STATUS_NAMES,
    ACTIVITY_STATUSES,
    ATTENDANCE_STATUS_NAMES,
    CATEGORIES,
    CONTENT_STATUS_NAMES,
    ENROLLMENT_STATUS_NAMES,
    ENROLLMENT_STATUSES,
    HOURS_KIND_NAMES,
    POINTS_MODES,
)
from backend.models.volunteer import SKILLS
from backend.schemas.common import ChinaDateTime, PageQuery, StrictSchema, page_of

CATEGORY_CHOICES = tuple(CATEGORIES)


def _hours(minutes: int | None) -> float:
    return round((minutes or 0) / 60, 1)


# -- input ----------------------------------------------------------------------------------


class _ActivityFields(StrictSchema):
    title = fields.String(validate=validate.Length(min=2, max=100))
    description = fields.String(validate=validate.Length(max=5000))
    category = fields.String(
        validate=validate.OneOf(CATEGORY_CHOICES, error="活动类别须为 {choices} 之一"),
        metadata={
            "description": "patrol 巡逻 / publicity 宣传 / mediation 调解 / safety_check 安全"
            "检查 / convenience 便民服务 / info_collection 信息采集 / training 培训"
        },
    )
    start_at = ChinaDateTime()
    end_at = ChinaDateTime()
    enroll_deadline = ChinaDateTime(metadata={"description": "默认为开始时间"})
    place_name = fields.String(validate=validate.Length(min=2, max=200))
    latitude = fields.Float(
        validate=validate.Range(min=-90, max=90), metadata={"description": "GCJ-02 纬度"}
    )
    longitude = fields.Float(
        validate=validate.Range(min=-180, max=180), metadata={"description": "GCJ-02 经度"}
    )
    checkin_radius_m = fields.Integer(validate=validate.Range(min=30, max=5000))
    checkin_open_minutes = fields.Integer(
        validate=validate.Range(min=0, max=240), metadata={"description": "开始前多少分钟可签到"}
    )
    capacity = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "名额;null 为不限"},
    )
    waitlist_enabled = fields.Boolean()
    required_skills = fields.List(
        fields.String(validate=validate.OneOf(SKILLS, error="技能须从列表中选择")),
        validate=validate.Length(max=len(SKILLS)),
        metadata={"description": "报名者至少具备其中一项"},
    )
    points_mode = fields.String(
        validate=validate.OneOf(POINTS_MODES),
        metadata={"description": "per_hour 按服务小时 / fixed 固定"},
    )
    points_value = fields.Integer(validate=validate.Range(min=0, max=1000))
    counts_as_duty = fields.Boolean(metadata={"description": "网格员、辅警参加时计为在岗时长"})
    cover_url = fields.Url(validate=validate.Length(max=512), allow_none=False)
    team_id = fields.Integer(allow_none=True)
    region_id = fields.Integer()


class ActivityIn(_ActivityFields):
    title = fields.String(required=True, validate=validate.Length(min=2, max=100))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    category = fields.String(
        required=True,
        validate=validate.OneOf(CATEGORY_CHOICES, error="活动类别须为 {choices} 之一"),
    )
    start_at = ChinaDateTime(required=True)
    end_at = ChinaDateTime(required=True)
    place_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    checkin_radius_m = fields.Integer(load_default=300, validate=validate.Range(min=30, max=5000))
    capacity = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1))
    waitlist_enabled = fields.Boolean(load_default=False)
    required_skills = fields.List(
        fields.String(validate=validate.OneOf(SKILLS, error="技能须从列表中选择")),
        load_default=list,
    )
    points_mode = fields.String(load_default="per_hour", validate=validate.OneOf(POINTS_MODES))
    points_value = fields.Integer(load_default=10, validate=validate.Range(min=0, max=1000))
    counts_as_duty = fields.Boolean(load_default=False)
    cover_url = fields.Url(load_default="", validate=validate.Length(max=512))
    region_id = fields.Integer(required=True)


class ActivityUpdateIn(_ActivityFields):
    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项")


class ActivityQuery(PageQuery):
    region_id = fields.Integer()
    category = fields.String(validate=validate.OneOf(CATEGORY_CHOICES))
    date_from = fields.Date(metadata={"description": "开始日期(含),北京时间"})
    date_to = fields.Date(metadata={"description": "结束日期(含),北京时间"})
    when = fields.String(
        validate=validate.OneOf(("upcoming", "past", "all")),
        metadata={"description": "upcoming 未结束(默认)/ past 已结束 / all"},
    )
    open = fields.Boolean(metadata={"description": "只看可报名的"})
    latitude = fields.Float(validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(validate=validate.Range(min=-180, max=180))
    radius_km = fields.Float(load_default=10, validate=validate.Range(min=0.1, max=200))
    sort = fields.String(validate=validate.OneOf(("start", "distance")))
    q = fields.String(validate=validate.Length(max=50))
    manage = fields.Boolean(metadata={"description": "组织者视图:本人管辖范围内全部状态"})
    status = fields.String(validate=validate.OneOf(ACTIVITY_STATUSES))

    @validates_schema
    def _point(self, data, **kwargs):
        if ("latitude" in data) != ("longitude" in data):
            raise ValidationError("经纬度须同时提供", field_name="latitude")
        if data.get("sort") == "distance" and "latitude" not in data:
            raise ValidationError("按距离排序需提供经纬度", field_name="sort")


class ScanIn(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy = fields.Float(
        validate=validate.Range(min=0, max=100_000), metadata={"description": "定位精度(米)"}
    )


class CheckinCodeQuery(StrictSchema):
    purpose = fields.String(
        load_default="checkin", validate=validate.OneOf(("checkin", "checkout"))
    )


class ManualAttendanceIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))
    at = ChinaDateTime(metadata={"description": "签到/签退时间,默认现在"})


class HoursCorrectionIn(StrictSchema):
    served_minutes = fields.Integer(required=True, validate=validate.Range(min=0, max=7 * 24 * 60))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class RosterQuery(PageQuery):
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    status = fields.String(validate=validate.OneOf(ENROLLMENT_STATUSES))
    format = fields.String(
        validate=validate.OneOf(("json", "csv", "xlsx")), metadata={"description": "导出格式"}
    )


class MyActivitiesQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(ENROLLMENT_STATUSES))
    when = fields.String(validate=validate.OneOf(("upcoming", "past", "all")))


# -- output ---------------------------------------------------------------------------------


class ActivityOut(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    category = fields.String()
    category_name = fields.Function(lambda a: CATEGORIES.get(a.category, a.category))
    region_id = fields.Integer()
    region_name = fields.Function(lambda a: a.region.name)
    organiser_id = fields.Integer()
    organiser_name = fields.Function(lambda a: a.organiser.nickname if a.organiser else "")
    team_id = fields.Integer(allow_none=True)
    team_name = fields.Function(lambda a: a.team.name if a.team else None)
    start_at = ChinaDateTime()
    end_at = ChinaDateTime()
    enroll_deadline = ChinaDateTime()
    place_name = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    checkin_radius_m = fields.Integer()
    checkin_open_minutes = fields.Integer()
    capacity = fields.Integer(allow_none=True)
    enrolled_count = fields.Integer()
    waitlist_enabled = fields.Boolean()
    required_skills = fields.List(fields.String())
    points_mode = fields.String()
    points_value = fields.Integer()
    counts_as_duty = fields.Boolean()
    cover_url = fields.String()
    status = fields.String()
    status_name = fields.Function(lambda a: ACTIVITY_STATUS_NAMES.get(a.status, a.status))
    phase = fields.Method("get_phase")
    content_status = fields.String(metadata={"description": "pass 已通过 / review 人工审核中"})
    content_status_name = fields.Function(
        lambda a: CONTENT_STATUS_NAMES.get(a.content_status, a.content_status)
    )
    is_full = fields.Function(lambda a: a.capacity is not None and a.enrolled_count >= a.capacity)
    distance_m = fields.Function(lambda a: getattr(a, "distance_m", None), allow_none=True)
    published_at = ChinaDateTime(allow_none=True)
    cancelled_at = ChinaDateTime(allow_none=True)
    cancel_reason = fields.String()
    completed_at = ChinaDateTime(allow_none=True)
    created_at = ChinaDateTime()

    def get_phase(self, activity) -> str:
        from backend.services.activities import phase_of

        return phase_of(activity)


class ActivityListOut(Schema):
    """One item of GET /activities: what the list pages show. Description, organiser, team,
    check-in settings and lifecycle timestamps are only in the detail (GET /activities/{id})."""

    id = fields.Integer()
    title = fields.String()
    category = fields.String()
    category_name = fields.Function(lambda a: CATEGORIES.get(a.category, a.category))
    region_name = fields.Function(lambda a: a.region.name)
    start_at = ChinaDateTime()
    end_at = ChinaDateTime()
    enroll_deadline = ChinaDateTime()
    place_name = fields.String()
    capacity = fields.Integer(allow_none=True)
    enrolled_count = fields.Integer()
    waitlist_enabled = fields.Boolean()
    points_mode = fields.String()
    points_value = fields.Integer()
    status = fields.String()
    status_name = fields.Function(lambda a: ACTIVITY_STATUS_NAMES.get(a.status, a.status))
    # Both set per request by services.activities.annotate (one clock reading for the page).
    phase = fields.String(
        metadata={
            "description": "draft / enrolling / upcoming / ongoing / ended / completed / cancelled"
        }
    )
    distance_m = fields.Integer(
        allow_none=True, metadata={"description": "距查询点的距离(米);未给经纬度时为 null"}
    )
    content_status = fields.String(metadata={"description": "pass 已通过 / review 人工审核中"})
    content_status_name = fields.Function(
        lambda a: CONTENT_STATUS_NAMES.get(a.content_status, a.content_status)
    )


class AttendanceOut(Schema):
    id = fields.Integer()
    activity_id = fields.Integer()
    user_id = fields.Integer()
    enrollment_id = fields.Integer()
    status = fields.String(metadata={"description": "checked_in / checked_out"})
    status_name = fields.Function(
        lambda a: ATTENDANCE_STATUS_NAMES.get(a.status, a.status),
        metadata={"description": "已签到 / 已签退"},
    )
    checkin_at = ChinaDateTime()
    checkin_method = fields.String(metadata={"description": "scan 扫码 / manual 代签"})
    checkin_distance_m = fields.Integer(allow_none=True)
    checkout_at = ChinaDateTime(allow_none=True)
    checkout_method = fields.String(
        allow_none=True, metadata={"description": "scan / manual / auto(系统自动签退)"}
    )
    checkout_distance_m = fields.Integer(allow_none=True)
    auto_checkout = fields.Boolean()
    hours_kind = fields.String(metadata={"description": "service 志愿服务 / duty 在岗"})
    hours_kind_name = fields.Function(lambda a: HOURS_KIND_NAMES.get(a.hours_kind, a.hours_kind))
    computed_minutes = fields.Integer()
    served_minutes = fields.Integer()
    served_hours = fields.Function(lambda a: _hours(a.served_minutes))
    points = fields.Integer()
    manual_reason = fields.String()
    correction_reason = fields.String()
    corrected_at = ChinaDateTime(allow_none=True)


class MyEnrollmentOut(Schema):
    id = fields.Integer()
    status = fields.String()
    status_name = fields.Function(lambda e: ENROLLMENT_STATUS_NAMES.get(e.status, e.status))
    waitlist_position = fields.Method("get_position", allow_none=True)
    queued_at = ChinaDateTime()
    promoted_at = ChinaDateTime(allow_none=True)
    attendance = fields.Nested(AttendanceOut, allow_none=True)

    def get_position(self, enrollment):
        from backend.services.enrollments import waitlist_position

        return waitlist_position(enrollment)


class EnrollmentOut(MyEnrollmentOut):
    activity_id = fields.Integer()
    activity = fields.Nested(ActivityOut)


class MyActivityOut(Schema):
    """One row of GET /me/activities (no waitlist position: that needs a query per row)."""

    id = fields.Integer()
    status = fields.String()
    status_name = fields.Function(lambda e: ENROLLMENT_STATUS_NAMES.get(e.status, e.status))
    waitlist_seq = fields.Integer(allow_none=True)
    queued_at = ChinaDateTime()
    activity = fields.Nested(ActivityOut)
    attendance = fields.Nested(AttendanceOut, allow_none=True)


class ActivityDetailOut(ActivityOut):
    waitlist_count = fields.Method("get_waitlist_count")
    my_enrollment = fields.Method("get_mine", allow_none=True)
    can_manage = fields.Method("get_can_manage")

    def get_waitlist_count(self, activity) -> int:
        from backend.services.activities import waitlist_count

        return waitlist_count(activity.id)

    def get_mine(self, activity):
        from backend.services.enrollments import mine_for

        enrollment = mine_for(current_user(), activity.id)
        return MyEnrollmentOut().dump(enrollment) if enrollment else None

    def get_can_manage(self, activity) -> bool:
        from backend.services.activities import can_manage

        return can_manage(current_user(), activity)


class RosterEntryOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    volunteer_id = fields.Integer(allow_none=True)
    volunteer_number = fields.Function(lambda e: e.volunteer.number if e.volunteer else None)
    # Set per viewer by services.enrollments.roster_facts (masked unless the viewer may see them).
    name = fields.String(attribute="roster_name")
    phone = fields.String(attribute="roster_phone", allow_none=True)
    skills = fields.Function(lambda e: list(e.volunteer.skills or []) if e.volunteer else [])
    status = fields.String()
    status_name = fields.Function(lambda e: ENROLLMENT_STATUS_NAMES.get(e.status, e.status))
    waitlist_seq = fields.Integer(allow_none=True)
    queued_at = ChinaDateTime()
    promoted_at = ChinaDateTime(allow_none=True)
    removed_reason = fields.String()
    attendance = fields.Nested(AttendanceOut, allow_none=True)


class CheckinCodeOut(Schema):
    purpose = fields.String(metadata={"description": "checkin 签到 / checkout 签退"})
    code = fields.String(metadata={"description": "当前签到码(可手动输入)"})
    scene = fields.String(metadata={"description": "小程序码 scene,≤32 字符"})
    page = fields.String()
    window_seconds = fields.Integer()
    expires_at = ChinaDateTime(metadata={"description": "本码轮换时间;之后短暂宽限仍有效"})
    valid_until = ChinaDateTime()
    image = fields.String(
        allow_none=True, metadata={"description": "小程序码 PNG(data:image/png;base64,…)"}
    )
    image_error = fields.String(allow_none=True)


class HoursRecordOut(AttendanceOut):
    activity_title = fields.Function(lambda a: a.activity.title)
    activity_category = fields.Function(lambda a: a.activity.category)
    activity_start_at = ChinaDateTime(attribute="activity.start_at")


class HoursOut(Schema):
    service_minutes = fields.Integer()
    duty_minutes = fields.Integer()
    service_hours = fields.Float()
    duty_hours = fields.Float()
    star_level = fields.Integer()
    star_name = fields.String()
    next_level_at = fields.Integer(allow_none=True, metadata={"description": "下一星级所需小时"})
    hours_to_next_level = fields.Float(allow_none=True)
    records = fields.Nested(page_of(HoursRecordOut), metadata={"description": "签到记录分页"})
