"""Notification jobs: the outbox dispatcher."""

from __future__ import annotations

from backend.services import outbox


def dispatch() -> dict[str, int]:
    """Send the due subscribe messages; claims and outcomes are committed row by row."""
    return outbox.dispatch_due()
