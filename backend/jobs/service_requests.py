"""Service request jobs: the escalation sweep and the auto-close of unrated resolved requests."""

from __future__ import annotations

from backend.services import service_requests


def escalate_overdue() -> dict:
    """Move each overdue request one tier up (village → township → city), once per deadline."""
    return service_requests.escalate_overdue()


def close_unrated() -> dict:
    """Close resolved requests left unrated for SERVICE_REQUEST_AUTO_CLOSE_DAYS."""
    return service_requests.close_unrated()
