"""Granting and revoking roles; every change invalidates the user's tokens."""

from __future__ import annotations

from sqlalchemy import select

from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import Region, RoleGrant, User
from backend.permissions import GRANTABLE_ROLES, ROLE_LEVELS
from backend.services import audit


def grant_role(user: User, role: str, region: Region, actor: User | None = None) -> RoleGrant:
    """Grant ``role`` in ``region`` (idempotent) and bump the token version."""
    if role not in GRANTABLE_ROLES:
        raise ValidationFailed(errors={"role": [f"未知角色,可选:{', '.join(GRANTABLE_ROLES)}"]})
    if region.level not in ROLE_LEVELS[role]:
        raise ValidationFailed(errors={"region": ["该角色不能授予在此层级的区域"]})
    existing = db.session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user.id, RoleGrant.role == role, RoleGrant.region_id == region.id
        )
    )
    if existing is not None:
        return existing
    grant = RoleGrant(
        user=user, role=role, region=region, granted_by_id=actor.id if actor else None
    )
    db.session.add(grant)
    user.token_version += 1
    audit.record(
        actor, "role.grant", user, after={"role": role, "region": region.code}, region_id=region.id
    )
    db.session.flush()
    return grant


def revoke_role(user: User, role: str, region: Region, actor: User | None = None) -> None:
    grant = db.session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user.id, RoleGrant.role == role, RoleGrant.region_id == region.id
        )
    )
    if grant is None:
        raise NotFound("该用户在此区域没有这个角色", code="grant_not_found")
    db.session.delete(grant)
    user.token_version += 1
    audit.record(
        actor,
        "role.revoke",
        user,
        before={"role": role, "region": region.code},
        region_id=region.id,
    )


def user_by_openid(openid: str) -> User:
    user = db.session.scalar(select(User).where(User.openid == openid))
    if user is None:
        raise NotFound(f"用户 {openid} 不存在(需先登录一次)", code="user_not_found")
    if user.status != "active":
        raise Conflict("用户已停用或注销", code="user_inactive")
    return user
