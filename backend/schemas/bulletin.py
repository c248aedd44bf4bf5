"""Bulletins and talk outcomes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.models.bulletin import BULLETIN_KIND_NAMES, BULLETIN_KINDS, TALK_SUBJECTS
from backend.schemas.common import ChinaDateTime, PageQuery, StrictSchema
from backend.schemas.scorecard import VILLAGE_SCORE_FORMULA


class BulletinQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(BULLETIN_KINDS))
    region_id = fields.Integer(metadata={"description": "含下级区域"})
    period_key = fields.String(
        validate=validate.Length(max=16), metadata={"description": "如 2026-03-08、2026-W10"}
    )
    since = fields.Date(metadata={"description": "发布日期起(中国时间)"})
    until = fields.Date(metadata={"description": "发布日期止(含)"})


class BulletinOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_name = fields.Function(lambda b: BULLETIN_KIND_NAMES[b.kind])
    region_id = fields.Integer()
    region_name = fields.Function(lambda b: b.region.name)
    period = fields.String()
    period_key = fields.String()
    title = fields.String()
    summary = fields.String()
    published_at = ChinaDateTime()


class BulletinDetailOut(BulletinOut):
    content = fields.Method(
        "get_content",
        metadata={
            "description": "内容(结构随类型而定);图表地址为公开的 /bulletins/{id}/charts/{n}。"
            "月通报、年考评的 village_ranking 与季约谈的 subjects 按村(社区)考评综合得分排列:"
            + VILLAGE_SCORE_FORMULA
            + "全部为 0 分时不点名“综合得分最高”的村,也不出村得分图。"
        },
    )

    def get_content(self, bulletin) -> dict:
        from backend.services.bulletins import public_chart_url

        content = dict(bulletin.content or {})
        if content.get("charts"):
            content["charts"] = [
                {**chart, "url": public_chart_url(bulletin.id, i)}
                for i, chart in enumerate(content["charts"])
            ]
        return content


class TalkIn(StrictSchema):
    subject_type = fields.String(required=True, validate=validate.OneOf(TALK_SUBJECTS))
    subject_id = fields.Integer(required=True)
    outcome = fields.String(required=True, validate=validate.Length(min=2, max=2000))
    talked_at = ChinaDateTime(metadata={"description": "约谈时间,默认现在"})


class TalkOut(Schema):
    id = fields.Integer()
    bulletin_id = fields.Integer()
    subject_type = fields.String()
    subject_id = fields.Integer()
    subject_name = fields.String()
    region_id = fields.Integer()
    talked_at = ChinaDateTime()
    outcome = fields.String()
    recorded_by_id = fields.Integer()
    created_at = ChinaDateTime()
    updated_at = ChinaDateTime(allow_none=True)
