"""LTI 1.3 vocabulary: claim URIs, roles, scopes and media types, defined once."""

from __future__ import annotations

from enum import StrEnum

LTI_VERSION = "1.3.0"
PRODUCT_FAMILY_CODE = "devplatform"
PRODUCT_VERSION = "0.1.0"
USER_AGENT = f"devplatform/{PRODUCT_VERSION} (LTI 1.3 test platform)"


class Claim(StrEnum):
    """id_token and deep linking claim names."""

    MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
    VERSION = "https://purl.imsglobal.org/spec/lti/claim/version"
    DEPLOYMENT_ID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
    TARGET_LINK_URI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
    RESOURCE_LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
    ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
    ROLE_SCOPE_MENTOR = "https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor"
    CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context"
    TOOL_PLATFORM = "https://purl.imsglobal.org/spec/lti/claim/tool_platform"
    LAUNCH_PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
    LIS = "https://purl.imsglobal.org/spec/lti/claim/lis"
    CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
    AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
    NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
    DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
    DL_MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
    DL_ERRORMSG = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"
    CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"


class MessageType(StrEnum):
    """LTI message types."""

    RESOURCE_LINK = "LtiResourceLinkRequest"
    DEEP_LINKING = "LtiDeepLinkingRequest"
    DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"


class Role(StrEnum):
    """LIS v2 role URIs."""

    INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
    LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
    TEACHING_ASSISTANT = (
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
    )
    SYSTEM_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
    INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
    INSTITUTION_STUDENT = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
    INSTITUTION_INSTRUCTOR = (
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"
    )


# Moodle's NRPS answers short names for these context roles while its
# id_tokens carry full URIs; others keep the full URI (real platforms differ).
NRPS_SHORT_ROLE_NAMES: dict[str, str] = {Role.LEARNER: "Learner"}

CONTEXT_TYPE_COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"


class Scope(StrEnum):
    """OAuth scopes for LTI services."""

    LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
    RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
    SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    NRPS_READONLY = (
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
    )


AGS_SCOPES: list[str] = [
    Scope.LINEITEM, Scope.LINEITEM_READONLY, Scope.RESULT_READONLY, Scope.SCORE,
]
ALL_SCOPES: list[str] = [*AGS_SCOPES, Scope.NRPS_READONLY]


class MediaType(StrEnum):
    """Service media types."""

    LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
    LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
    RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
    SCORE = "application/vnd.ims.lis.v1.score+json"
    MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


class GradingProgress(StrEnum):
    """AGS gradingProgress values."""

    FULLY_GRADED = "FullyGraded"
    PENDING = "Pending"
    PENDING_MANUAL = "PendingManual"
    FAILED = "Failed"
    NOT_READY = "NotReady"


class ActivityProgress(StrEnum):
    """AGS activityProgress values."""

    INITIALIZED = "Initialized"
    STARTED = "Started"
    IN_PROGRESS = "InProgress"
    SUBMITTED = "Submitted"
    COMPLETED = "Completed"


class MemberStatus(StrEnum):
    """NRPS member status."""

    ACTIVE = "Active"
    INACTIVE = "Inactive"
    DELETED = "Deleted"


CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GRANT_CLIENT_CREDENTIALS = "client_credentials"
DL_CONTENT_LTI_RESOURCE_LINK = "ltiResourceLink"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
CLOSE_SUBJECT = "org.imsglobal.lti.close"
MOODLE_EMPTY_CUSTOM_ERROR = (
    "params_to_string(): Argument #1 ($params) must be of type object, array given"
)
MOODLE_DOMAIN_MISMATCH = "domain_targetlinkuri_mismatch"
