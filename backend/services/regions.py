"""The region tree: creation with materialised paths, lookups and listing."""

from __future__ import annotations

from sqlalchemy import select

from backend.errors import NotFound, ValidationFailed
from backend.extensions import db
from backend.models import Region
from backend.models.region import LEVELS


def create_region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    """Add a region under ``parent``; levels must step down one at a time."""
    if level not in LEVELS:
        raise ValidationFailed(errors={"level": ["未知的区域层级"]})
    expected_parent = LEVELS.index(level) - 1
    if (parent is None) != (expected_parent < 0) or (
        parent is not None and parent.depth != expected_parent
    ):
        raise ValidationFailed(errors={"parent_id": ["上级区域层级不匹配"]})
    region = Region(code=code, name=name, level=level, parent=parent, path="")
    db.session.add(region)
    db.session.flush()  # the id is part of the path
    region.path = f"{parent.path if parent else '/'}{region.id}/"
    return region


def get_region(region_id: int) -> Region:
    region = db.session.get(Region, region_id)
    if region is None:
        raise NotFound("区域不存在", code="region_not_found")
    return region


def get_by_code(code: str) -> Region:
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise NotFound(f"区域编码 {code} 不存在", code="region_not_found")
    return region


def list_query(parent_id: int | None = None, level: str | None = None, q: str | None = None):
    """A SELECT of regions for the public tree listing."""
    query = select(Region).order_by(Region.path)
    if parent_id is not None:
        query = query.where(Region.parent_id == parent_id)
    if level is not None:
        query = query.where(Region.level == level)
    if q:
        query = query.where(Region.name.contains(q))
    return query


def children(region: Region) -> list[Region]:
    return list(
        db.session.scalars(
            select(Region)
            .where(Region.parent_id == region.id)
            .order_by(Region.sort_order, Region.id)
        )
    )


def ancestors(region: Region) -> list[Region]:
    """The regions above ``region``, from the city down (one query)."""
    ids = region.ancestor_ids()[:-1]
    if not ids:
        return []
    found = db.session.scalars(select(Region).where(Region.id.in_(ids))).all()
    return sorted(found, key=lambda r: len(r.path))


def village_of(region: Region) -> Region | None:
    """The village a region belongs to (itself for a village, its parent for a grid)."""
    if region.level == "village":
        return region
    if region.level == "grid":
        return region.parent
    return None
