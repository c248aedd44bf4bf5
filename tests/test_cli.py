"""Command line: seed demo, roles grant/revoke."""

from __future__ import annotations

from backend.extensions import db
from backend.models import Region, RoleGrant, User


def test_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0 and "demo data loaded" in first.output
    regions = db.session.scalar(db.select(db.func.count(Region.id)))
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0 and "already present" in second.output
    assert db.session.scalar(db.select(db.func.count(Region.id))) == regions == 32
    levels = db.session.scalars(db.select(Region.level).distinct()).all()
    assert set(levels) == {"city", "township", "village", "grid"}


def test_roles_grant_and_revoke(app, demo, new_user):
    user = new_user("cli")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["roles", "grant", user.openid, "village_admin", "360981001002"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    grant = db.session.scalar(db.select(RoleGrant).where(RoleGrant.user_id == user.id))
    assert grant.role == "village_admin" and grant.region.code == "360981001002"
    assert db.session.get(User, user.id).token_version == 2
    bad_role = runner.invoke(args=["roles", "grant", user.openid, "emperor", "360981"])
    assert bad_role.exit_code != 0
    bad_level = runner.invoke(args=["roles", "grant", user.openid, "city_admin", "360981001002"])
    assert bad_level.exit_code != 0 and "层级" in bad_level.output
    missing = runner.invoke(args=["roles", "grant", "nobody", "city_admin", "360981"])
    assert missing.exit_code != 0 and "不存在" in missing.output
    revoked = runner.invoke(args=["roles", "revoke", user.openid, "village_admin", "360981001002"])
    assert revoked.exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(db.select(RoleGrant).where(RoleGrant.user_id == user.id)) is None
