"""Nightly housekeeping job."""

from __future__ import annotations

from backend.services import housekeeping


def purge() -> dict:
    """Purge delivered outbox rows and expired idempotency keys."""
    return {
        "outbox": housekeeping.purge_outbox(),
        "idempotency": housekeeping.purge_idempotency(),
    }
