"""Volunteer teams (志愿服务队)."""

from __future__ import annotations

from sqlalchemy import select

from backend.errors import ContentUnderReview, ValidationFailed
from backend.extensions import db
from backend.models import Team, User
from backend.permissions import TEAM_MANAGE, region_filter, require
from backend.services import audit, content
from backend.services.regions import get_region


def create_team(actor: User, data: dict) -> Team:
    region = get_region(data["region_id"])
    require(actor, TEAM_MANAGE, region)
    if region.level == "grid":
        raise ValidationFailed(errors={"region_id": ["服务队应建在村(社区)及以上"]})
    if content.check_text(actor, data["name"], data.get("description")) != "pass":
        raise ContentUnderReview(errors={"name": ["内容需人工审核"]})
    team = Team(
        name=data["name"],
        region_id=region.id,
        description=data.get("description", ""),
        created_by_id=actor.id,
    )
    db.session.add(team)
    db.session.flush()
    audit.record(actor, "team.create", team, after={"name": team.name})
    return team


def list_query(region_id: int | None = None):
    """Teams in a region and its descendants (or all)."""
    query = select(Team).order_by(Team.id)
    if region_id:
        region = get_region(region_id)
        query = query.where(region_filter([region.path], Team.region_id))
    return query
