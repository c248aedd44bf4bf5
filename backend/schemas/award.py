"""Award types, nominations and awards (certificates: ``schemas/certificate.py``)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.models.award import (
    AWARD_STATUS_NAMES,
    NOMINATION_STATUS_NAMES,
    NOMINATION_STATUSES,
    TARGET_KINDS,
    TARGET_NAMES,
    TIER_NAMES,
    TIERS,
)
from backend.schemas.common import ChinaDateTime, PageQuery, StrictSchema

APPROVER_TEXT = {"village": "乡镇(街道)审批", "township": "市级审批", "city": "市级审批"}


class AwardTypeIn(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=64))
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    target_kind = fields.String(required=True, validate=validate.OneOf(TARGET_KINDS))
    points = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000))
    description = fields.String(load_default="", validate=validate.Length(max=500))


class AwardTypePatchIn(StrictSchema):
    points = fields.Integer(validate=validate.Range(min=0, max=10_000))
    description = fields.String(validate=validate.Length(max=500))
    active = fields.Boolean()

    @validates_schema
    def _not_empty(self, data, **kwargs) -> None:
        if not data:
            raise ValidationError("请至少修改一项", "_schema")


class AwardTypeQuery(PageQuery):
    tier = fields.String(validate=validate.OneOf(TIERS))
    target_kind = fields.String(validate=validate.OneOf(TARGET_KINDS))
    active = fields.Boolean()


class AwardTypeOut(Schema):
    id = fields.Integer()
    name = fields.String()
    tier = fields.String()
    tier_name = fields.Function(lambda t: TIER_NAMES[t.tier])
    target_kind = fields.String()
    target_kind_name = fields.Function(lambda t: TARGET_NAMES[t.target_kind])
    points = fields.Integer()
    description = fields.String()
    active = fields.Boolean()
    approval = fields.Function(lambda t: APPROVER_TEXT[t.tier])


class NominationIn(StrictSchema):
    award_type_id = fields.Integer(required=True)
    target_id = fields.Integer(
        required=True, metadata={"description": "志愿者 id、服务队 id 或村(社区)区域 id,按表彰对象"}
    )
    reason = fields.String(required=True, validate=validate.Length(min=5, max=1000))
    period_label = fields.String(
        load_default="",
        validate=validate.Length(max=32),
        metadata={"description": "表彰期次,如“2026年3月”"},
    )


class NominationQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(NOMINATION_STATUSES))
    tier = fields.String(validate=validate.OneOf(TIERS))
    award_type_id = fields.Integer()
    region_id = fields.Integer()
    actionable = fields.Boolean(
        load_default=False, metadata={"description": "只看我可以审批的(审批队列)"}
    )


def _certificate_number(award) -> str | None:
    return award.certificate.number if award is not None and award.certificate else None


class NominationOut(Schema):
    id = fields.Integer()
    award_type_id = fields.Integer()
    award_name = fields.Function(lambda n: n.award_type.name)
    points = fields.Function(lambda n: n.award_type.points)
    tier = fields.String()
    tier_name = fields.Function(lambda n: TIER_NAMES[n.tier])
    target_kind = fields.String()
    target_kind_name = fields.Function(lambda n: TARGET_NAMES[n.target_kind])
    target_id = fields.Integer()
    target_name = fields.String()
    region_id = fields.Integer()
    region_name = fields.Function(lambda n: n.region.name)
    award_region_name = fields.Function(lambda n: n.award_region.name)
    period_label = fields.String()
    reason = fields.String()
    status = fields.String()
    status_name = fields.Function(lambda n: NOMINATION_STATUS_NAMES[n.status])
    nominated_by_id = fields.Integer()
    nominated_by_name = fields.Function(lambda n: n.nominated_by.nickname)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = ChinaDateTime(allow_none=True)
    decision_reason = fields.String()
    award_id = fields.Function(lambda n: n.award.id if n.award else None)
    certificate_number = fields.Function(lambda n: _certificate_number(n.award))
    created_at = ChinaDateTime()


class AwardQuery(PageQuery):
    tier = fields.String(validate=validate.OneOf(TIERS))
    target_kind = fields.String(validate=validate.OneOf(TARGET_KINDS))
    region_id = fields.Integer()
    award_type_id = fields.Integer()
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class AwardOut(Schema):
    id = fields.Integer()
    title = fields.String()
    tier = fields.String()
    tier_name = fields.Function(lambda a: TIER_NAMES[a.tier])
    target_kind = fields.String()
    target_kind_name = fields.Function(lambda a: TARGET_NAMES[a.target_kind])
    target_name = fields.String(metadata={"description": "志愿者为脱敏姓名"})
    region_id = fields.Integer()
    region_name = fields.Function(lambda a: a.region.name)
    award_region_name = fields.Function(lambda a: a.award_region.name)
    period_label = fields.String()
    points = fields.Integer()
    status = fields.String()
    status_name = fields.Function(lambda a: AWARD_STATUS_NAMES.get(a.status, a.status))
    awarded_at = ChinaDateTime()
    certificate_number = fields.Function(_certificate_number)
    revoked_at = ChinaDateTime(allow_none=True)
    revoke_reason = fields.String()
