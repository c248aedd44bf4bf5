"""Region schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.models.region import LEVEL_NAMES, LEVELS
from backend.schemas.common import PageQuery


class RegionQuery(PageQuery):
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    parent_id = fields.Integer()
    level = fields.String(validate=validate.OneOf(LEVELS))
    q = fields.String(validate=validate.Length(max=32))


class RegionOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.String()
    level_name = fields.Function(lambda r: LEVEL_NAMES[r.level])
    parent_id = fields.Integer(allow_none=True)


class RegionDetailOut(RegionOut):
    ancestors = fields.Method("get_ancestors", metadata={"description": "从市到上级"})
    children = fields.Method("get_children")

    def get_ancestors(self, region) -> list[dict]:
        from backend.services.regions import ancestors

        return RegionOut(many=True).dump(ancestors(region))

    def get_children(self, region) -> list[dict]:
        from backend.services.regions import children

        return RegionOut(many=True).dump(children(region))
