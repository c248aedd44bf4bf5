"""Upload schemas."""

from __future__ import annotations

from flask_smorest.fields import Upload as UploadField
from marshmallow import Schema, fields

from backend.schemas.common import ChinaDateTime, StrictSchema
from backend.services.storage import storage


class UploadIn(StrictSchema):
    file = UploadField(
        required=True,
        metadata={"description": "PNG、JPEG、WebP 或 GIF 图片(类型按文件内容判断)"},
    )


class UploadOut(Schema):
    url = fields.Function(
        lambda u: storage().url(u.key),
        metadata={"description": "稳定的文件地址 /api/v1/uploads/<key>(需登录访问)"},
    )
    content_type = fields.String()
    size = fields.Integer()
    width = fields.Integer()
    height = fields.Integer()
    created_at = ChinaDateTime()
