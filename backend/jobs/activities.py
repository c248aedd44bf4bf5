"""Periodic jobs of the activities domain: reminders, automatic check-out, no-shows.

Each function claims its rows atomically (conditional UPDATEs) and leaves the commit to the
runner, so two schedulers running by accident never send a reminder twice or double a grant.
"""

from __future__ import annotations

from backend.services import activities, attendance


def send_reminders() -> dict:
    """Reminders 24 h and 1 h before the start, to everyone enrolled (once each)."""
    return activities.send_due_reminders()


def auto_checkout() -> dict:
    """At the scheduled end, check out whoever forgot (flagged); hours and points recorded."""
    return attendance.auto_checkout_due()


def mark_no_shows() -> dict:
    """After the end, enrolled people who never checked in become no-shows."""
    return {"no_shows": attendance.mark_no_shows()}
