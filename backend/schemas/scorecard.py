"""Scorecards (考评): query and rows. Each field's description gives its formula."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.schemas.common import ChinaDateTime, PageQuery
from backend.schemas.points import RegionBriefOut
from backend.services.scorecards import PERIODS, TYPES


class ScorecardQuery(PageQuery):
    type = fields.String(
        load_default="volunteer",
        validate=validate.OneOf(TYPES),
        metadata={"description": "volunteer 志愿者 / grid_worker 网格员 / village 村(社区)"},
    )
    region_id = fields.Integer(
        metadata={"description": "管辖范围内的区域(含下级),默认我的最大范围"}
    )
    period = fields.String(load_default="month", validate=validate.OneOf(PERIODS))
    date = fields.Date(metadata={"description": "所在周期内的任一日期(中国时间),默认今天"})
    format = fields.String(
        validate=validate.OneOf(("csv", "xlsx")), metadata={"description": "导出全部行"}
    )


VILLAGE_SCORE_FORMULA = (
    "村综合得分(0–100)= 参与率、活动开展率(这两项始终计入,无志愿者或无活动即为 0),"
    "以及有值时的按期办结率、满意度×20、经费公开度,各项的算术平均,保留一位小数;"
    "本期什么也没有发生的村得 0 分。"
)
GRID_WORKER_SCORE_FORMULA = (
    "网格员综合得分(0–100)= 按期办结率、满意度×20、完成率(办结/(办结+超期)×100)"
    "中有值各项的平均;既无办结也无超期为 null。"
)
SCORE_FORMULA = f"综合得分(仅网格员和村)。{GRID_WORKER_SCORE_FORMULA}{VILLAGE_SCORE_FORMULA}"


def _f(field_cls, description: str, **kwargs):
    return field_cls(metadata={"description": description}, **kwargs)


class ScorecardRowOut(Schema):
    """One scorecard row; fields not relevant to the requested type are left out."""

    id = _f(fields.Integer, "志愿者 id / 网格员用户 id / 村(社区)区域 id")
    user_id = _f(fields.Integer, "用户 id(志愿者、网格员)")
    number = _f(fields.String, "志愿者编号", allow_none=True)
    name = _f(fields.String, "脱敏姓名 / 网格员昵称 / 村(社区)名称")
    code = _f(fields.String, "区域编码(村)")
    status = _f(fields.String, "志愿者或账号状态")
    status_name = _f(fields.String, "状态名称:正常 / 已暂停 / 停用")
    region_id = _f(fields.Integer, "所属村(社区)或网格;村的考评行为该村本身")
    region_name = _f(fields.String, "所属村(社区)或网格的名称;村的考评行为该村本身")
    township_id = _f(fields.Integer, "村所在乡镇(街道)id(仅村)")
    township_name = _f(fields.String, "村所在乡镇(街道)名称(仅村)")
    # volunteers
    service_minutes = _f(fields.Integer, "本期签到的考勤中志愿服务(service)分钟之和")
    service_hours = _f(fields.Float, "service_minutes / 60,保留一位小数")
    duty_minutes = _f(fields.Integer, "本期签到的考勤中在岗(duty)分钟之和,与服务时长分开统计")
    duty_hours = _f(fields.Float, "duty_minutes / 60,保留一位小数")
    activities_attended = _f(fields.Integer, "本期签到的活动次数")
    no_shows = _f(fields.Integer, "本期开始的活动中被标记缺席的报名数")
    requests_resolved = _f(
        fields.Integer,
        "志愿者:本期由其办结(resolved_at 在本期且仍为已办结/已关闭)的请求数;"
        "村:本村本期办结的请求数",
    )
    avg_rating = _f(fields.Float, "其办结请求所得评分(1–5)的平均值,无评分为 null", allow_none=True)
    ratings = _f(fields.Integer, "参与平均的评分个数")
    points = _f(fields.Integer, "本期在所属村获得的积分(积分周期合计)")
    # grid workers
    requests_handled = _f(fields.Integer, "网格员本期办结的请求数")
    resolved_on_time = _f(fields.Integer, "其中 resolved_at ≤ 办结期限(或无期限)的个数")
    on_time_rate = _f(
        fields.Float,
        "按期办结率 % = resolved_on_time / 办结数 × 100,无办结为 null",
        allow_none=True,
    )
    median_accept_minutes = _f(
        fields.Float, "本期受理的请求 accepted_at − created_at 的中位数(分钟)", allow_none=True
    )
    median_resolve_minutes = _f(
        fields.Float, "本期办结的请求 resolved_at − created_at 的中位数(分钟)", allow_none=True
    )
    overdue = _f(fields.Integer, "指派给其、办结期限落在本期(且已过)而未按期办结的请求数")
    satisfaction = _f(
        fields.Float, "满意度:本期办结请求评分(1–5)的平均值,无评分为 null", allow_none=True
    )
    # villages
    volunteers = _f(fields.Integer, "本村已通过审核的志愿者人数")
    active_volunteers = _f(fields.Integer, "其中本期至少签到一次的人数")
    participation_rate = _f(
        fields.Float, "参与率 % = active_volunteers / volunteers × 100(无志愿者为 0)"
    )
    activities_held = _f(fields.Integer, "本村(含网格)本期开始的已发布或已结束活动数")
    requests_received = _f(fields.Integer, "本村本期提交的服务请求数")
    expenses_paid = _f(fields.Integer, "本村经费本期已支付的支出笔数")
    expenses_with_receipts = _f(fields.Integer, "其中附有票据照片的笔数")
    fund_transparency = _f(
        fields.Float,
        "经费公开度 % = expenses_with_receipts / expenses_paid × 100(台账与月度公示始终公开),"
        "无支出为 null",
        allow_none=True,
    )
    activity_target = _f(
        fields.Integer,
        "本期活动目标次数:每月 SCORECARD_ACTIVITIES_PER_MONTH(默认 4),日 1、周 每月/4、"
        "季 ×3、年 ×12",
    )
    activity_rate = _f(
        fields.Float, "活动开展率 % = min(activities_held, activity_target) / activity_target × 100"
    )
    score = _f(fields.Float, SCORE_FORMULA, allow_none=True)


class ScorecardOut(Schema):
    type = fields.String()
    type_name = fields.String()
    region = fields.Nested(RegionBriefOut)
    period = fields.String()
    period_key = fields.String()
    period_label = fields.String()
    date = fields.Date()
    starts_at = ChinaDateTime()
    ends_at = ChinaDateTime()
    items = fields.List(fields.Nested(ScorecardRowOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
