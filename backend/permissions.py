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

# Permissions: one constant per permission, named RESOURCE_ACTION after its string; every check
# uses these constants (a typo is then an ImportError, not a KeyError at request time).
VOLUNTEER_REVIEW = "volunteer.review"
TEAM_MANAGE = "team.manage"
REGION_ADMIN = "region.admin"
AUDIT_READ = "audit.read"
ROLES_GRANT = "roles.grant"
OUTBOX_MANAGE = "outbox.manage"
SERVICE_REQUEST_VIEW = "service_request.view"
SERVICE_REQUEST_DISPATCH = "service_request.dispatch"
SERVICE_REQUEST_MODERATE = "service_request.moderate"
FUND_OPEN = "fund.open"
FUND_MANAGE = "fund.manage"
FUND_APPROVE = "fund.approve"
ACTIVITY_MANAGE = "activity.manage"
ACTIVITY_MODERATE = "activity.moderate"
POINTS_ADJUST = "points.adjust"
AWARD_NOMINATE = "award.nominate"
AWARD_TYPE_MANAGE = "award_type.manage"
BULLETIN_TALK = "bulletin.talk"
SCORECARD_VIEW = "scorecard.view"
CERTIFICATE_ISSUE = "certificate.issue"

# Permission → roles that hold it (in the region of their grant and below).
PERMISSIONS: dict[str, tuple[str, ...]] = {
    VOLUNTEER_REVIEW: ADMIN_ROLES,
    TEAM_MANAGE: ADMIN_ROLES,
    REGION_ADMIN: ADMIN_ROLES,
    AUDIT_READ: ADMIN_ROLES,
    ROLES_GRANT: ("township_admin", "city_admin"),
    OUTBOX_MANAGE: ("city_admin",),
    # Service requests: who sees requests of an area, who dispatches them (assign, reject,
    # escalate at the request's current tier), who releases text held for review.
    SERVICE_REQUEST_VIEW: (*HANDLER_ROLES, *ADMIN_ROLES),
    SERVICE_REQUEST_DISPATCH: ("grid_worker", *ADMIN_ROLES),
    SERVICE_REQUEST_MODERATE: ADMIN_ROLES,
    FUND_OPEN: ("township_admin", "city_admin"),
    FUND_MANAGE: ADMIN_ROLES,
    FUND_APPROVE: ADMIN_ROLES,
    # Organise activities (create, publish, roster, check-in codes, 代签, hours corrections).
    ACTIVITY_MANAGE: ADMIN_ROLES,
    # Release activity text held by content security (a tier above the village organiser).
    ACTIVITY_MODERATE: ("township_admin", "city_admin"),
    POINTS_ADJUST: ADMIN_ROLES,
    AWARD_NOMINATE: ADMIN_ROLES,
    AWARD_TYPE_MANAGE: ("city_admin",),
    BULLETIN_TALK: ("township_admin", "city_admin"),
    SCORECARD_VIEW: ADMIN_ROLES,
    CERTIFICATE_ISSUE: ADMIN_ROLES,
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


def region_filter(paths: Iterable[str], region_column: InstrumentedAttribute):
    """A WHERE clause keeping rows whose region lies under one of ``paths`` (each path covers its
    subtree). The one "rows under this region" helper: scopes (``scoped``) and filters alike, e.g.
    ``query.where(region_filter([region.path], Team.region_id))``; none is written by hand."""
    paths = list(paths)
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
