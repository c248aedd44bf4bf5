"""Roles, region scopes and the checks built on them.

A role is granted in a region and covers that region's descendants. Object access is checked in
the query itself (:func:`scoped`), so an id outside the caller's scope is simply not found (404).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import false, or_, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import Select

from backend.errors import Forbidden, NotFound
from backend.extensions import db
from backend.models import Region, User

GRANTABLE_ROLES = (
    "grid_worker",
    "auxiliary_police",
    "village_admin",
    "township_admin",
    "city_admin",
)
ADMIN_ROLES = ("village_admin", "township_admin", "city_admin")
HANDLER_ROLES = ("grid_worker", "auxiliary_police")
ROLE_NAMES = {
    "resident": "居民",
    "volunteer": "平安志愿者",
    "grid_worker": "网格员",
    "auxiliary_police": "辅警",
    "village_admin": "村(居)理事会管理员",
    "township_admin": "乡镇(街道)管理员",
    "city_admin": "市级管理员",
}
# The level a role is normally granted at (a city admin's grant sits on the city, …).
ROLE_LEVELS = {
    "grid_worker": ("village", "grid"),
    "auxiliary_police": ("village", "township"),
    "village_admin": ("village",),
    "township_admin": ("township",),
    "city_admin": ("city",),
}

# Permission → roles that hold it (in the region of their grant and below).
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "volunteer.review": ADMIN_ROLES,
    "team.manage": ADMIN_ROLES,
    "region.admin": ADMIN_ROLES,
    "audit.read": ADMIN_ROLES,
    "roles.grant": ("township_admin", "city_admin"),
    "outbox.manage": ("city_admin",),
    # Service requests: who sees requests of an area, who dispatches them (assign, reject,
    # escalate at the request's current tier), who releases text held for review.
    "service_request.view": (*HANDLER_ROLES, *ADMIN_ROLES),
    "service_request.dispatch": ("grid_worker", *ADMIN_ROLES),
    "service_request.moderate": ADMIN_ROLES,
    "fund.open": ("township_admin", "city_admin"),
    "fund.manage": ADMIN_ROLES,
    "fund.approve": ADMIN_ROLES,
    # Organise activities (create, publish, roster, check-in codes, 代签, hours corrections).
    "activity.manage": ADMIN_ROLES,
    # Release activity text held by content security (a tier above the village organiser).
    "activity.moderate": ("township_admin", "city_admin"),
    "points.adjust": ADMIN_ROLES,
    "award.nominate": ADMIN_ROLES,
    "award_type.manage": ("city_admin",),
    "bulletin.talk": ("township_admin", "city_admin"),
    "scorecard.view": ADMIN_ROLES,
    "certificate.issue": ADMIN_ROLES,
}


def roles_of(user: User | None) -> set[str]:
    """Names of the roles a user holds anywhere."""
    if user is None:
        return set()
    return {grant.role for grant in user.grants}


def is_admin(user: User | None) -> bool:
    return bool(roles_of(user) & set(ADMIN_ROLES))


def scope_paths(user: User | None, permission: str) -> list[str]:
    """Region paths in which ``user`` holds ``permission`` (each covers its descendants)."""
    if user is None:
        return []
    roles = PERMISSIONS[permission]
    return [grant.region.path for grant in user.grants if grant.role in roles]


def scope_paths_for_roles(user: User | None, roles: Iterable[str]) -> list[str]:
    """Region paths where ``user`` holds any of ``roles``."""
    if user is None:
        return []
    wanted = set(roles)
    return [grant.region.path for grant in user.grants if grant.role in wanted]


def covers(paths: Iterable[str], region: Region) -> bool:
    return any(region.path.startswith(path) for path in paths)


def can(user: User | None, permission: str, region: Region) -> bool:
    """Whether ``user`` holds ``permission`` over ``region``."""
    return covers(scope_paths(user, permission), region)


def require(user: User | None, permission: str, region: Region) -> None:
    """Raise 403 unless ``user`` holds ``permission`` over ``region``."""
    if not can(user, permission, region):
        raise Forbidden()


def require_any(user: User | None, permission: str) -> list[str]:
    """Raise 403 unless ``user`` holds ``permission`` somewhere; return the scope paths."""
    paths = scope_paths(user, permission)
    if not paths:
        raise Forbidden()
    return paths


def region_filter(paths: list[str], region_column: InstrumentedAttribute):
    """A WHERE clause keeping rows whose region lies under one of ``paths``."""
    if not paths:
        return false()
    subquery = select(Region.id).where(or_(*[Region.path.startswith(p) for p in paths]))
    return region_column.in_(subquery)


def scoped(
    query: Select, user: User | None, permission: str, region_column: InstrumentedAttribute
) -> Select:
    """Restrict ``query`` to rows in the caller's scope for ``permission``."""
    return query.where(region_filter(scope_paths(user, permission), region_column))


def get_scoped(
    model: type,
    object_id: int,
    user: User | None,
    permission: str,
    region_column: InstrumentedAttribute,
):
    """Load one row inside the caller's scope, or raise 404 (never 403: no existence leak)."""
    query = scoped(select(model).where(model.id == object_id), user, permission, region_column)
    row = db.session.scalars(query).first()
    if row is None:
        raise NotFound()
    return row


def may_see_personal(viewer: User | None, owner_id: int | None, region: Region | None) -> bool:
    """Owner, or an admin whose scope covers the record's region, sees unmasked personal data."""
    if viewer is None:
        return False
    if owner_id is not None and viewer.id == owner_id:
        return True
    if region is None:
        return False
    return covers(scope_paths_for_roles(viewer, ADMIN_ROLES), region)
