"""Models, one module per domain. Importing this package registers every table."""

from backend.models.activity import Activity, Attendance, Enrollment
from backend.models.audit import AuditLog, IdempotencyRecord
from backend.models.fund import Expense, Fund, FundEntry
from backend.models.notification import Notification, OutboxMessage, Subscription
from backend.models.points import PointsAccount, PointsEntry
from backend.models.region import Region
from backend.models.service_request import ServiceRequest, ServiceRequestEvent, Upload
from backend.models.user import Consent, RoleGrant, User
from backend.models.volunteer import Team, Volunteer

__all__ = [
    "Activity",
    "Attendance",
    "Enrollment",
    "AuditLog",
    "Consent",
    "Expense",
    "Fund",
    "FundEntry",
    "IdempotencyRecord",
    "Notification",
    "OutboxMessage",
    "PointsAccount",
    "PointsEntry",
    "Region",
    "RoleGrant",
    "Subscription",
    "ServiceRequest",
    "ServiceRequestEvent",
    "Team",
    "Upload",
    "User",
    "Volunteer",
]
