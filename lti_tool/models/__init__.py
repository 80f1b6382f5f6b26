"""SQLAlchemy models, one module per aggregate. Import from here."""

from .assessments import Alignment, Assessment
from .course_settings import CourseSettings, StandardOverride
from .evidence import CurrentLevel, Evidence, EvidenceAudit
from .launch import Launch, LoginState, UsedNonce
from .limits import RateCounter
from .people import Course, Enrollment, ResourceLink, User
from .periods import GradingPeriod
from .registration import Deployment, Platform, RegistrationStatus
from .scales import Level, Scale
from .standards import CourseStandard, Framework, Standard, StandardEdge
from .sync import (
    PERIOD_TAG_PREFIX,
    SUMMARY_TAG,
    GradeColumn,
    GradeOutbox,
    Job,
    JobState,
    OutboxState,
)
from .tokens import AccessToken

__all__ = [
    "AccessToken",
    "Alignment",
    "Assessment",
    "Course",
    "CourseSettings",
    "CourseStandard",
    "CurrentLevel",
    "Deployment",
    "Enrollment",
    "Evidence",
    "EvidenceAudit",
    "Framework",
    "GradeColumn",
    "GradeOutbox",
    "GradingPeriod",
    "Job",
    "JobState",
    "Launch",
    "Level",
    "OutboxState",
    "PERIOD_TAG_PREFIX",
    "LoginState",
    "Platform",
    "RateCounter",
    "RegistrationStatus",
    "ResourceLink",
    "SUMMARY_TAG",
    "Scale",
    "Standard",
    "StandardEdge",
    "StandardOverride",
    "UsedNonce",
    "User",
]
