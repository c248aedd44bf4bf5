"""Schemas for login, the current user, consent and roles."""

from __future__ import annotations

from marshmallow import Schema, fields, post_dump, validate

from backend.auth import current_user
from backend.permissions import ROLE_NAMES, is_admin
from backend.privacy import decrypt, mask_phone
from backend.schemas.common import ChinaDateTime, StrictSchema


class WeChatLoginIn(StrictSchema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "wx.login 返回的 code"},
    )


class PhoneBindIn(StrictSchema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "getPhoneNumber 返回的 code"},
    )


class ConsentIn(StrictSchema):
    version = fields.String(required=True, validate=validate.Length(min=1, max=32))


class ConsentOut(Schema):
    version = fields.String()
    accepted_at = ChinaDateTime(attribute="created_at")


class MeUpdateIn(StrictSchema):
    nickname = fields.String(validate=validate.Length(min=1, max=32))
    avatar_url = fields.Url(validate=validate.Length(max=512))
    region_id = fields.Integer(allow_none=True)


class RoleOut(Schema):
    role = fields.String()
    role_name = fields.Function(lambda g: ROLE_NAMES.get(g.role, g.role))
    region_id = fields.Integer()
    region_name = fields.Function(lambda g: g.region.name)
    region_code = fields.Function(lambda g: g.region.code)
    region_level = fields.Function(lambda g: g.region.level)


def _own_phone(user) -> str | None:
    phone = decrypt(user.phone_enc)
    viewer = current_user()
    return phone if viewer is not None and viewer.id == user.id else mask_phone(phone)


class UserOut(Schema):
    id = fields.Integer()
    nickname = fields.String()
    avatar_url = fields.String()
    phone = fields.Function(_own_phone, metadata={"description": "本人可见完整号码,其他人脱敏"})
    region_id = fields.Integer(allow_none=True)
    created_at = ChinaDateTime()


class VolunteerBriefOut(Schema):
    id = fields.Integer()
    status = fields.String()
    number = fields.String(allow_none=True)
    display_name = fields.String()
    region_id = fields.Integer()
    review_reason = fields.String()


class MeOut(UserOut):
    roles = fields.List(fields.Nested(RoleOut), attribute="grants")
    is_admin = fields.Function(lambda u: is_admin(u))
    volunteer = fields.Method("get_volunteer")
    consent_version = fields.String(allow_none=True)
    consent_required = fields.Method("get_consent_required")
    privacy_notice_version = fields.Method("get_notice_version")
    points = fields.Method("get_points")
    service_hours = fields.Float(dump_only=True, metadata={"description": "志愿服务时长(小时)"})
    duty_hours = fields.Float(dump_only=True, metadata={"description": "在岗时长(小时)"})
    star_level = fields.Integer(dump_only=True, metadata={"description": "星级 0–5"})

    def get_volunteer(self, user):
        from backend.services.volunteers import volunteer_of

        volunteer = volunteer_of(user)
        return VolunteerBriefOut().dump(volunteer) if volunteer else None

    def get_consent_required(self, user) -> bool:
        from backend.services.identity import consent_required

        return consent_required(user)

    def get_notice_version(self, user) -> str:
        from flask import current_app

        return current_app.config["PRIVACY_NOTICE_VERSION"]

    def get_points(self, user) -> int:
        from backend.services.points import balance_of

        return balance_of(user.id)

    @post_dump(pass_original=True)
    def _add_hours(self, data: dict, user, **kwargs) -> dict:
        # One query for the three hours fields (declared above for the OpenAPI spec).
        from backend.services.hours import hours_of

        summary = hours_of(user.id)
        data.update({k: summary[k] for k in ("service_hours", "duty_hours", "star_level")})
        return data


class LoginOut(Schema):
    token = fields.String()
    expires_at = fields.Integer(metadata={"description": "Unix 时间戳"})
    user = fields.Nested(MeOut)
