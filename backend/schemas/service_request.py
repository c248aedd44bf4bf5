"""Service request schemas. What a viewer sees depends on who they are:

- an anonymous tip-off's requester is shown to the requester only (``requester`` is null and
  timeline entries by the requester carry no actor for everybody else);
- the contact phone is shown to the requester and to the handler while the request is assigned
  to them; everyone else sees it masked.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates

from backend.auth import current_user
from backend.models.service_request import (
    CATEGORIES,
    CATEGORY_NAMES,
    CONTACT_METHOD_NAMES,
    CONTACT_METHODS,
    MODERATION_NAMES,
    STATUS_NAMES,
    STATUSES,
    TIER_NAMES,
    TIERS,
    URGENCIES,
    URGENCY_NAMES,
)
from backend.permissions import ROLE_NAMES
from backend.privacy import decrypt, mask_phone
from backend.schemas.common import ChinaDateTime, PageQuery, StrictSchema
from backend.services import service_requests as rules
from backend.services.storage import storage

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
ACTION_LABELS = {
    "release": "审核通过",
    "assign": "指派",
    "claim": "认领",
    "accept": "受理",
    "resolve": "办结",
    "reject": "驳回",
    "escalate": "上报上级",
    "cancel": "撤销",
    "rate": "评价",
    "reopen": "重新打开",
    "note": "添加备注",
}


class ServiceRequestIn(StrictSchema):
    category = fields.String(
        required=True,
        validate=validate.OneOf(CATEGORIES),
        metadata={"description": "help 求助 / hazard 隐患 / dispute 纠纷 / tip_off 线索 / "
                  "suggestion 建议 / other 其他"},
    )  # fmt: skip
    description = fields.String(required=True, validate=validate.Length(min=5, max=2000))
    urgency = fields.String(
        load_default="normal",
        validate=validate.OneOf(URGENCIES),
        metadata={"description": "normal / urgent。本平台不是报警渠道:紧急情况请拨打 110"},
    )
    region_id = fields.Integer(required=True, metadata={"description": "所在村(社区)或网格"})
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    address = fields.String(load_default="", validate=validate.Length(max=255))
    photos = fields.List(
        fields.String(validate=validate.Length(max=512)),
        load_default=list,
        validate=validate.Length(max=rules.MAX_PHOTOS),
        metadata={"description": "POST /uploads 返回的图片地址,最多 9 张"},
    )
    contact_method = fields.String(
        validate=validate.OneOf(CONTACT_METHODS),
        metadata={"description": "phone 电话 / message 站内消息 / none 无需联系"},
    )
    contact_phone = fields.String(allow_none=True)
    anonymous = fields.Boolean(
        load_default=False, metadata={"description": "仅线索举报可匿名:处理人看不到您的身份"}
    )

    @validates("contact_phone")
    def _phone(self, value: str | None, **kwargs) -> None:
        if value and not PHONE_RE.match(value):
            raise ValidationError("请输入正确的手机号或固定电话")


class ServiceRequestQuery(PageQuery):
    scope = fields.String(
        load_default="all",
        validate=validate.OneOf(("all", "mine", "assigned")),
        metadata={"description": "all 我可见的全部 / mine 我提交的 / assigned 指派给我的"},
    )
    status = fields.String(validate=validate.OneOf(STATUSES))
    tier = fields.String(validate=validate.OneOf(TIERS))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    urgency = fields.String(validate=validate.OneOf(URGENCIES))
    overdue = fields.Boolean()
    held = fields.Boolean(metadata={"description": "内容待审核的请求(仅审核人可见)"})
    unassigned = fields.Boolean()
    region_id = fields.Integer()
    order = fields.String(load_default="newest", validate=validate.OneOf(("newest", "due")))
    format = fields.String(
        validate=validate.OneOf(("csv", "xlsx")),
        metadata={"description": "导出(管理员、处理人):csv 或 xlsx"},
    )


class ServiceCodeQuery(StrictSchema):
    region_id = fields.Integer(required=True, metadata={"description": "村(社区)或网格"})


class AssignIn(StrictSchema):
    assignee_id = fields.Integer(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))


class NoteIn(StrictSchema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=500))


class OptionalNoteIn(StrictSchema):
    note = fields.String(load_default="", validate=validate.Length(max=500))


class ResolveIn(StrictSchema):
    note = fields.String(
        required=True,
        validate=validate.Length(min=2, max=500),
        metadata={"description": "办理结果"},
    )


class RatingIn(StrictSchema):
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=200))


class PersonOut(Schema):
    id = fields.Integer()
    nickname = fields.String()


class RegionRefOut(Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()


class EventOut(Schema):
    id = fields.Integer()
    action = fields.String()
    action_name = fields.Function(lambda e: rules.ACTION_NAMES.get(e.action, e.action))
    actor = fields.Method("get_actor", allow_none=True)
    actor_label = fields.Method("get_actor_label")
    assignee = fields.Function(
        lambda e: {"id": e.assignee.id, "nickname": e.assignee.nickname} if e.assignee else None
    )
    from_status = fields.String(allow_none=True)
    from_status_name = fields.Function(
        lambda e: STATUS_NAMES.get(e.from_status) if e.from_status else None
    )
    to_status = fields.String(allow_none=True)
    to_status_name = fields.Function(
        lambda e: STATUS_NAMES.get(e.to_status) if e.to_status else None
    )
    tier = fields.String()
    tier_name = fields.Function(lambda e: TIER_NAMES[e.tier])
    note = fields.String()
    created_at = ChinaDateTime()

    def _hidden(self, event) -> bool:
        req = event.request
        return event.actor_id == req.requester_id and not rules.reveals_requester(
            current_user(), req
        )

    def get_actor(self, event):
        if event.actor is None or self._hidden(event):
            return None
        return {"id": event.actor.id, "nickname": event.actor.nickname}

    def get_actor_label(self, event) -> str:
        if event.actor_id is None:
            return "系统"
        if event.actor_id == event.request.requester_id:
            return "匿名举报人" if self._hidden(event) else "请求人"
        return event.actor.nickname if event.actor else ""


class ServiceRequestListOut(Schema):
    id = fields.Integer()
    number = fields.Function(rules.number_of)
    category = fields.String()
    category_name = fields.Function(lambda r: CATEGORY_NAMES[r.category])
    title = fields.Function(rules.title_of)
    description = fields.String()
    urgency = fields.String()
    urgency_name = fields.Function(lambda r: URGENCY_NAMES[r.urgency])
    status = fields.String()
    status_name = fields.Function(lambda r: STATUS_NAMES[r.status])
    held = fields.Function(rules.is_held)
    moderation = fields.String()
    moderation_name = fields.Function(lambda r: MODERATION_NAMES.get(r.moderation, r.moderation))
    tier = fields.String()
    tier_name = fields.Function(lambda r: TIER_NAMES[r.tier])
    tier_region = fields.Nested(RegionRefOut)
    region = fields.Nested(RegionRefOut)
    village = fields.Nested(RegionRefOut)
    address = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    photos = fields.Function(lambda r: [storage().url(key) for key in r.photos or []])
    anonymous = fields.Boolean()
    is_mine = fields.Method("get_is_mine")
    requester = fields.Method("get_requester", allow_none=True)
    assignee = fields.Method("get_assignee", allow_none=True)
    escalation_count = fields.Integer()
    accept_due_at = ChinaDateTime(allow_none=True)
    resolve_due_at = ChinaDateTime(allow_none=True)
    overdue = fields.Function(lambda r: rules.is_overdue(r))
    accepted_at = ChinaDateTime(allow_none=True)
    resolved_at = ChinaDateTime(allow_none=True)
    closed_at = ChinaDateTime(allow_none=True)
    rating = fields.Integer(allow_none=True)
    created_at = ChinaDateTime()
    updated_at = ChinaDateTime(allow_none=True)

    def get_is_mine(self, req) -> bool:
        viewer = current_user()
        return viewer is not None and viewer.id == req.requester_id

    def get_requester(self, req):
        if not rules.reveals_requester(current_user(), req):
            return None
        return {"id": req.requester.id, "nickname": req.requester.nickname}

    def get_assignee(self, req):
        if req.assignee is None:
            return None
        role = req.assignee_role or ""
        return {
            "id": req.assignee.id,
            "nickname": req.assignee.nickname,
            "role": role,
            "role_name": ROLE_NAMES.get(role, ""),
        }


class ServiceRequestOut(ServiceRequestListOut):
    contact_method = fields.String()
    contact_method_name = fields.Function(lambda r: CONTACT_METHOD_NAMES[r.contact_method])
    contact_phone = fields.Method("get_contact_phone", allow_none=True)
    rating_comment = fields.String()
    timeline = fields.Method("get_timeline")
    actions = fields.Method("get_actions")
    emergency_notice = fields.Function(lambda r: rules.EMERGENCY_NOTICE)
    notice = fields.Method("get_notice", allow_none=True)

    def get_contact_phone(self, req) -> str | None:
        viewer = current_user()
        if not rules.reveals_requester(viewer, req):
            return None
        phone = decrypt(req.contact_phone_enc)
        return phone if rules.may_see_contact(viewer, req) else mask_phone(phone)

    def get_timeline(self, req) -> list:
        return EventOut(many=True).dump(req.events)

    def get_actions(self, req) -> list:
        return [
            {"action": a, "label": ACTION_LABELS[a]}
            for a in rules.allowed_actions(current_user(), req)
        ]

    def get_notice(self, req) -> str | None:
        return rules.HELD_NOTICE if req.moderation == "held" else None


class CandidateOut(Schema):
    user_id = fields.Integer()
    name = fields.String()
    role = fields.String()
    role_name = fields.String()
    region_name = fields.String()
    skills = fields.List(fields.String())
    matched_skills = fields.List(fields.String())
    open_count = fields.Integer(metadata={"description": "手上未办结的请求数"})
    suggested = fields.Boolean()
    current = fields.Boolean()


class CandidateListOut(Schema):
    items = fields.List(fields.Nested(CandidateOut))


class CategoryOut(Schema):
    category = fields.String()
    name = fields.String()
    anonymous_allowed = fields.Boolean()
    deadlines = fields.Dict()


class CategoryListOut(Schema):
    items = fields.List(fields.Nested(CategoryOut))
    urgencies = fields.Dict()
    emergency_notice = fields.String()
