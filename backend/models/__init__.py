"""Models, one module per domain. Importing this package registers every table."""

from backend.models.activity import Activity, Attendance, Enrollment
from backend.models.audit import AuditLog, IdempotencyRecord
from backend.models.notification import Notification
from backend.models.points import PointsAccount, PointsEntry
from backend.models.region import Region
from backend.models.user import Consent, RoleGrant, User
from backend.models.volunteer import Team, Volunteer

__all__ = [
    "Activity",
    "Attendance",
    "Enrollment",
    "AuditLog",
    "Consent",
    "IdempotencyRecord",
    "Notification",
    "PointsAccount",
    "PointsEntry",
    "Region",
    "RoleGrant",
    "Team",
    "User",
    "Volunteer",
]
