"""Points ledger, adjustments and leaderboards."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.models.points import POINT_SOURCES, SOURCE_NAMES
from backend.schemas.common import ChinaDateTime, PageQuery, StrictSchema
from backend.services.periods import PERIODS


class PointsEntryOut(Schema):
    id = fields.Integer()
    amount = fields.Integer(metadata={"description": "正数为获得,负数为扣减"})
    source_type = fields.String()
    source_name = fields.Function(lambda e: SOURCE_NAMES.get(e.source_type, e.source_type))
    reason = fields.String()
    region_id = fields.Integer(allow_none=True)
    created_at = ChinaDateTime()


class PeriodTotalsOut(Schema):
    day = fields.Integer()
    week = fields.Integer()
    month = fields.Integer()
    quarter = fields.Integer()
    year = fields.Integer()
    all = fields.Integer()


class MePointsQuery(PageQuery):
    source_type = fields.String(validate=validate.OneOf(POINT_SOURCES))
    date = fields.Date(metadata={"description": "统计各周期积分的日期(中国时间),默认今天"})


class MePointsOut(Schema):
    balance = fields.Integer(metadata={"description": "当前可用积分"})
    earned = fields.Integer(metadata={"description": "累计获得积分"})
    totals = fields.Nested(PeriodTotalsOut, metadata={"description": "本日/周/月/季/年/累计"})
    date = fields.Date()
    items = fields.List(fields.Nested(PointsEntryOut), metadata={"description": "积分明细"})
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class AdjustmentIn(StrictSchema):
    user_id = fields.Integer(required=True, metadata={"description": "志愿者的用户 id"})
    amount = fields.Integer(
        required=True,
        validate=validate.Range(min=-100_000, max=100_000),
        metadata={"description": "正数加分,负数扣分"},
    )
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


class AdjustmentOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    amount = fields.Integer()
    reason = fields.String()
    region_id = fields.Integer()
    actor_id = fields.Integer()
    balance = fields.Method("get_balance", metadata={"description": "调整后的余额"})
    created_at = ChinaDateTime()

    def get_balance(self, adjustment) -> int:
        from backend.services.points import balance_of

        return balance_of(adjustment.user_id)


class AdjustmentQuery(PageQuery):
    user_id = fields.Integer()


class LeaderboardQuery(PageQuery):
    region_id = fields.Integer(metadata={"description": "村(社区)、乡镇(街道)或市,默认全市"})
    period = fields.String(load_default="month", validate=validate.OneOf(PERIODS))
    date = fields.Date(metadata={"description": "所在周期内的任一日期(中国时间),默认今天"})


class RegionBriefOut(Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()


class LeaderboardRowOut(Schema):
    rank = fields.Integer()
    user_id = fields.Integer()
    display_name = fields.String(metadata={"description": "脱敏姓名"})
    village_id = fields.Integer(allow_none=True)
    village_name = fields.String()
    points = fields.Integer()
    reached_at = ChinaDateTime(metadata={"description": "达到该积分的时间(同分先到者在前)"})


class MyRankOut(Schema):
    rank = fields.Integer()
    points = fields.Integer()
    reached_at = ChinaDateTime()


class LeaderboardOut(Schema):
    region = fields.Nested(RegionBriefOut)
    period = fields.String()
    period_name = fields.String()
    period_key = fields.String()
    period_label = fields.String()
    date = fields.Date()
    starts_at = ChinaDateTime(allow_none=True)
    ends_at = ChinaDateTime(allow_none=True)
    items = fields.List(fields.Nested(LeaderboardRowOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    me = fields.Nested(MyRankOut, allow_none=True, metadata={"description": "登录时:我的名次"})
