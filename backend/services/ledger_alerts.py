"""Tell city admins when a ledger no longer matches its kept totals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from backend.extensions import db
from backend.models import RoleGrant, User
from backend.models.types import CHINA_TZ
from backend.services import notifications


def city_admin_ids() -> list[int]:
    return sorted(
        set(
            db.session.scalars(
                select(RoleGrant.user_id)
                .join(User, RoleGrant.user_id == User.id)
                .where(RoleGrant.role == "city_admin", User.status == "active")
            )
        )
    )


def alert_city_admins(problems: list[str]) -> int:
    """One inbox notice per city admin per day (a rerun the same night adds nothing)."""
    day = datetime.now(CHINA_TZ).date().isoformat()
    summary = f"台账核对发现 {len(problems)} 处不一致:{problems[0]}"
    body = "\n".join(problems[:10])
    if len(problems) > 10:
        body += f"\n…另有 {len(problems) - 10} 处"
    admins = city_admin_ids()
    for user_id in admins:
        notifications.enqueue(
            "ledger_alert",
            user_id,
            dedupe_key=f"ledger_alert:{day}:{user_id}",
            title="台账核对异常",
            body=body,
            fields={"summary": summary[:200]},
            page="",
        )
    return len(admins)
