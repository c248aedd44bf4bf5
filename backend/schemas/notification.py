"""Inbox, subscription, template and outbox schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.models.notification import OUTBOX_STATUS_NAMES, OUTBOX_STATUSES
from backend.schemas.common import ChinaDateTime, PageQuery, StrictSchema
from backend.services.notification_templates import TEMPLATES, WECHAT_KINDS

KINDS = tuple(TEMPLATES)


class NotificationQuery(PageQuery):
    unread = fields.Boolean(metadata={"description": "true: 只看未读;false: 只看已读"})
    kind = fields.String(validate=validate.OneOf(KINDS))


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    content = fields.Function(
        lambda n: _content(n), metadata={"description": "展示用正文:body,或由字段生成的摘要"}
    )
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    page = fields.String(metadata={"description": "点击后打开的小程序页面"})
    is_read = fields.Function(lambda n: n.read_at is not None)
    read_at = ChinaDateTime(allow_none=True)
    created_at = ChinaDateTime()


def _content(notice) -> str:
    from backend.services.notifications import content_of

    return content_of(notice)


class InboxPageOut(Schema):
    items = fields.List(fields.Nested(NotificationOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    unread_count = fields.Integer()


class UnreadCountOut(Schema):
    unread_count = fields.Integer()


class ReadAllOut(Schema):
    updated = fields.Integer()
    unread_count = fields.Integer()


class SubscriptionIn(StrictSchema):
    results = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=128)),
        values=fields.String(),
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={
            "description": "wx.requestSubscribeMessage 的结果:{模板ID: accept|reject|ban|filter}"
        },
    )


class SubscriptionOut(Schema):
    kind = fields.String()
    template_id = fields.String()
    remaining = fields.Integer(metadata={"description": "还可发送的订阅消息条数"})
    last_result = fields.String()
    updated_at = ChinaDateTime()


class SubscriptionListOut(Schema):
    items = fields.List(fields.Nested(SubscriptionOut))


class TemplateOut(Schema):
    kind = fields.String()
    template_id = fields.String()
    title = fields.String()


class TemplateListOut(Schema):
    items = fields.List(fields.Nested(TemplateOut))


class OutboxQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(OUTBOX_STATUSES))
    kind = fields.String(validate=validate.OneOf(WECHAT_KINDS))
    user_id = fields.Integer()
    format = fields.String(validate=validate.OneOf(("json", "csv", "xlsx")), load_default="json")


class OutboxOut(Schema):
    id = fields.Integer()
    notification_id = fields.Integer()
    user_id = fields.Integer()
    kind = fields.String()
    template_id = fields.String()
    data = fields.Dict()
    page = fields.String()
    status = fields.String()
    status_name = fields.Function(lambda o: _status_name(o.status))
    attempts = fields.Integer()
    next_attempt_at = ChinaDateTime()
    last_errcode = fields.Integer(allow_none=True)
    last_error = fields.String()
    sent_at = ChinaDateTime(allow_none=True)
    created_at = ChinaDateTime()
    updated_at = ChinaDateTime()


def _status_name(status: str) -> str:
    return OUTBOX_STATUS_NAMES.get(status, status)


class OutboxStatsOut(Schema):
    pending = fields.Integer()
    sending = fields.Integer()
    sent = fields.Integer()
    skipped = fields.Integer()
    failed = fields.Integer()
