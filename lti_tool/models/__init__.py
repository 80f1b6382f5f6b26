"""SQLAlchemy models, one module per aggregate. Import from here."""

from .launch import Launch, LoginState, UsedNonce
from .people import Course, Enrollment, ResourceLink, User
from .registration import Deployment, Platform, RegistrationStatus

__all__ = [
    "Course",
    "Deployment",
    "Enrollment",
    "Launch",
    "LoginState",
    "Platform",
    "RegistrationStatus",
    "ResourceLink",
    "UsedNonce",
    "User",
]
