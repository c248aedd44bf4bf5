"""Nightly ledger check: the same checks as ``flask ledger check``, alerting city admins."""

from __future__ import annotations

from backend.services import ledger_checks


def nightly_ledger_check() -> dict:
    """Run every ledger check; on any problem, a ``ledger_alert`` notice to each city admin."""
    problems = ledger_checks.run_ledger_checks()
    alerted = ledger_checks.alert_city_admins(problems) if problems else 0
    return {"problems": len(problems), "alerted": alerted}
