"""Shared schema pieces: strict input, paging, the error envelope, China-time datetimes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from backend.utils import CHINA_TZ, china_iso


class StrictSchema(Schema):
    """Input schema: unknown fields are an error, never silently ignored."""

    class Meta:
        unknown = RAISE


class ChinaDateTime(fields.DateTime):
    """Serialises aware datetimes as ISO 8601 with +08:00; accepts any offset on input."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs):
        if value is None:
            return None
        return china_iso(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs) -> datetime:
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is None:  # a bare local time means China time
            result = result.replace(tzinfo=CHINA_TZ)
        return result


class PageQuery(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ErrorOut(Schema):
    code = fields.String(required=True, metadata={"description": "稳定的英文错误码"})
    message = fields.String(required=True, metadata={"description": "中文错误信息"})
    errors = fields.Dict(metadata={"description": "逐字段错误信息"})


class ReasonIn(StrictSchema):
    reason = fields.String(
        required=True, validate=validate.Length(min=1, max=500), metadata={"description": "原因"}
    )


class OptionalReasonIn(StrictSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


_page_schemas: dict[type, type] = {}


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """A ``{items, total, page, page_size}`` schema around ``item_schema`` (one class per item)."""
    if item_schema not in _page_schemas:
        name = item_schema.__name__.removesuffix("Out") + "PageOut"
        _page_schemas[item_schema] = type(
            name,
            (Schema,),
            {
                "items": fields.List(fields.Nested(item_schema)),
                "total": fields.Integer(),
                "page": fields.Integer(),
                "page_size": fields.Integer(),
            },
        )
    return _page_schemas[item_schema]
