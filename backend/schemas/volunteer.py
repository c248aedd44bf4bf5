"""Volunteer and team schemas; personal fields are masked unless the viewer may see them."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates

from backend.auth import current_user
from backend.models.volunteer import SKILLS, STATUS_NAMES, VOLUNTEER_STATUSES
from backend.permissions import may_see_personal
from backend.privacy import decrypt, id_number_valid, mask_id_number, mask_name, mask_phone
from backend.schemas.common import ChinaDateTime, PageQuery, StrictSchema

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class VolunteerIn(StrictSchema):
    real_name = fields.String(required=True, validate=validate.Length(min=2, max=20))
    phone = fields.String(required=True)
    id_number = fields.String(required=True, metadata={"description": "18位居民身份证号"})
    village_id = fields.Integer(required=True)
    skills = fields.List(
        fields.String(validate=validate.OneOf(SKILLS, error="技能须从列表中选择")),
        load_default=list,
        validate=validate.Length(max=len(SKILLS)),
    )
    availability = fields.String(load_default="", validate=validate.Length(max=200))
    team_id = fields.Integer(allow_none=True)
    intro = fields.String(load_default="", validate=validate.Length(max=500))

    @validates("phone")
    def _phone(self, value: str, **kwargs) -> None:
        if not PHONE_RE.match(value):
            raise ValidationError("请输入11位手机号")

    @validates("id_number")
    def _id_number(self, value: str, **kwargs) -> None:
        if not id_number_valid(value):
            raise ValidationError("身份证号格式或校验位不正确")


class VolunteerQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(VOLUNTEER_STATUSES))
    region_id = fields.Integer()
    team_id = fields.Integer()
    q = fields.String(
        validate=validate.Length(max=32), metadata={"description": "志愿者编号或姓氏"}
    )


def _reveal(volunteer) -> bool:
    return may_see_personal(current_user(), volunteer.user_id, volunteer.region)


class TeamOut(Schema):
    id = fields.Integer()
    name = fields.String()
    region_id = fields.Integer()
    region_name = fields.Function(lambda t: t.region.name)
    description = fields.String()
    created_at = ChinaDateTime()


class TeamIn(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=64))
    region_id = fields.Integer(required=True)
    description = fields.String(load_default="", validate=validate.Length(max=1000))


class TeamQuery(PageQuery):
    region_id = fields.Integer()


class VolunteerOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    number = fields.String(allow_none=True)
    real_name = fields.Method("get_real_name")
    phone = fields.Method("get_phone")
    id_number = fields.Method("get_id_number")
    region_id = fields.Integer()
    region_name = fields.Function(lambda v: v.region.name)
    team_id = fields.Integer(allow_none=True)
    team_name = fields.Function(lambda v: v.team.name if v.team else None)
    skills = fields.List(fields.String())
    availability = fields.String()
    intro = fields.String()
    status = fields.String()
    status_name = fields.Function(lambda v: STATUS_NAMES[v.status])
    review_reason = fields.String()
    reviewed_at = ChinaDateTime(allow_none=True)
    created_at = ChinaDateTime()

    def get_real_name(self, v) -> str:
        name = decrypt(v.real_name_enc)
        return name if name and _reveal(v) else (mask_name(name) if name else v.display_name)

    def get_phone(self, v) -> str | None:
        phone = decrypt(v.phone_enc)
        return phone if _reveal(v) else mask_phone(phone)

    def get_id_number(self, v) -> str | None:
        number = decrypt(v.id_number_enc)
        return number if _reveal(v) else mask_id_number(number)
