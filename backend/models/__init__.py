"""Models, one module per domain. Importing this package registers every table."""

from backend.models.audit import AuditLog, IdempotencyRecord
from backend.models.award import Award, AwardType, Certificate, Nomination
from backend.models.bulletin import Bulletin, TalkOutcome
from backend.models.notification import Notification
from backend.models.points import PointsAccount, PointsAdjustment, PointsEntry, PointsTotal
from backend.models.region import Region
from backend.models.user import Consent, RoleGrant, User
from backend.models.volunteer import Team, Volunteer

__all__ = [
    "AuditLog",
    "Award",
    "AwardType",
    "Bulletin",
    "Certificate",
    "Consent",
    "IdempotencyRecord",
    "Nomination",
    "Notification",
    "PointsAccount",
    "PointsAdjustment",
    "PointsEntry",
    "PointsTotal",
    "Region",
    "RoleGrant",
    "TalkOutcome",
    "Team",
    "User",
    "Volunteer",
]
