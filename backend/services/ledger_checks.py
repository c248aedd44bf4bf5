"""Ledger checks: every ledger (funds, points) against its kept totals, and the alert to city
admins when one differs. ``flask ledger check`` and the nightly job both call
:func:`run_ledger_checks`."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from backend.extensions import db
from backend.models import RoleGrant, User
from backend.services import funds, notifications, points
from backend.utils import china_today

# Each check returns a list of problem strings (empty when its ledger is consistent).
LEDGER_CHECKS: dict[str, Callable[[], list[str]]] = {
    "funds.check_ledgers": funds.check_ledgers,
    "points.check_points": points.check_points,
}


def run_ledger_checks() -> list[str]:
    """Run every check in LEDGER_CHECKS; a check that crashes is itself a problem."""
    problems: list[str] = []
    for name, check in LEDGER_CHECKS.items():
        try:
            problems.extend(check())
        except Exception as exc:  # noqa: BLE001 - report, keep checking the other ledgers
            db.session.rollback()
            problems.append(f"{name} 运行失败: {type(exc).__name__}: {exc}")
    return problems


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
    day = china_today().isoformat()
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
