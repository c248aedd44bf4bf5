"""Helpers shared by the recognition tests (points, leaderboards, awards, bulletins)."""

from __future__ import annotations

import itertools
from datetime import datetime

from freezegun import freeze_time

from backend.extensions import db
from backend.models import AwardType, User, Volunteer
from backend.privacy import encrypt, id_number_with_check_digit, mask_name
from backend.services import points

_seq = itertools.count(1)


def make_volunteer(region, real_name: str = "赵志愿", *, status: str = "approved", team=None):
    """A user with an approved (or given-status) volunteer record in ``region`` (a village)."""
    n = next(_seq)
    user = User(openid=f"sandbox-rv-{n}", nickname=f"志愿者{n}", region_id=region.id)
    user.consent_version = "2026-01"
    db.session.add(user)
    db.session.flush()
    id_number = id_number_with_check_digit(f"36098119900101{n % 1000:03d}")
    volunteer = Volunteer(
        user_id=user.id,
        real_name_enc=encrypt(real_name),
        display_name=mask_name(real_name),
        phone_enc=encrypt(f"1370000{n:04d}"),
        id_number_enc=encrypt(id_number),
        region_id=region.id,
        team_id=team.id if team else None,
        status=status,
        number=f"PT{n:07d}",
    )
    db.session.add(volunteer)
    db.session.commit()
    return user, volunteer


def grant_at(when: str | datetime, user, amount: int, region, source_id=None, source="activity"):
    """Grant points as if at ``when`` (an ISO time with offset) and commit."""
    with freeze_time(when):
        entry = points.grant(
            user.id,
            amount,
            source,
            source_id if source_id is not None else f"t{next(_seq)}",
            reason="测试",
            region_id=region.id if region is not None else None,
        )
        db.session.commit()
    return entry


def award_type(
    name: str = "月度平安之星", tier: str = "village", target: str = "volunteer", points_: int = 20
):
    row = AwardType(name=name, tier=tier, target_kind=target, points=points_, active=True)
    db.session.add(row)
    db.session.commit()
    return row
