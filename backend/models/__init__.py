"""Models, one module per domain. Importing this package registers every table."""

from backend.models.activity import Activity, Attendance, Enrollment
from backend.models.audit import AuditLog, IdempotencyRecord
from backend.models.award import Award, AwardType, Certificate, Nomination
from backend.models.bulletin import Bulletin, TalkOutcome
from backend.models.fund import Expense, Fund, FundEntry
from backend.models.notification import Notification, OutboxMessage, Subscription
from backend.models.points import PointsAccount, PointsAdjustment, PointsEntry, PointsTotal
from backend.models.region import Region
from backend.models.service_request import ServiceRequest, ServiceRequestEvent, Upload
from backend.models.user import Consent, RoleGrant, User
from backend.models.volunteer import Team, Volunteer

__all__ = [
    "Activity",
    "Attendance",
    "Enrollment",
    "AuditLog",
    "Award",
    "AwardType",
    "Bulletin",
    "Certificate",
    "Consent",
    "Expense",
    "Fund",
    "FundEntry",
    "IdempotencyRecord",
    "Nomination",
    "Notification",
    "OutboxMessage",
    "PointsAccount",
    "PointsAdjustment",
    "PointsEntry",
    "PointsTotal",
    "Region",
    "RoleGrant",
    "Subscription",
    "ServiceRequest",
    "ServiceRequestEvent",
    "TalkOutcome",
    "Team",
    "Upload",
    "User",
    "Volunteer",
]
