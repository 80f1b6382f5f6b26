"""SQLAlchemy models, one module per aggregate. Import from here."""

from .assessments import GRADED_IN_LMS, GRADED_IN_TOOL, Alignment, Assessment
from .audit import AuditEvent
from .course_settings import CourseSettings, StandardOverride
from .evidence import CurrentLevel, Evidence, EvidenceAudit
from .exemptions import Exemption
from .launch import Launch, LoginState, UsedNonce
from .limits import RateCounter
from .lms_exports import ExportColumn
from .local_admins import LocalAdmin
from .people import Course, CourseSection, Enrollment, ResourceLink, User
from .periods import GradingPeriod
from .registration import Deployment, Platform, RegistrationStatus
from .scales import Level, Scale
from .sharing import ShareLink
from .standards import CourseStandard, Framework, Standard, StandardEdge
from .sync import (
    ASSESSMENT_TAG_PREFIX,
    PERIOD_TAG_PREFIX,
    SUMMARY_LABEL,
    SUMMARY_TAG,
    GradeColumn,
    GradeOutbox,
    Job,
    JobState,
    OutboxState,
)
from .tokens import AccessToken

__all__ = [
    "GRADED_IN_LMS",
    "GRADED_IN_TOOL",
    "ASSESSMENT_TAG_PREFIX",
    "AccessToken",
    "Alignment",
    "Assessment",
    "AuditEvent",
    "Course",
    "CourseSection",
    "CourseSettings",
    "CourseStandard",
    "CurrentLevel",
    "Deployment",
    "Enrollment",
    "Evidence",
    "EvidenceAudit",
    "Exemption",
    "ExportColumn",
    "Framework",
    "GradeColumn",
    "GradeOutbox",
    "GradingPeriod",
    "Job",
    "JobState",
    "Launch",
    "Level",
    "LocalAdmin",
    "OutboxState",
    "PERIOD_TAG_PREFIX",
    "LoginState",
    "Platform",
    "RateCounter",
    "RegistrationStatus",
    "ResourceLink",
    "SUMMARY_LABEL",
    "SUMMARY_TAG",
    "Scale",
    "ShareLink",
    "Standard",
    "StandardEdge",
    "StandardOverride",
    "UsedNonce",
    "User",
]
