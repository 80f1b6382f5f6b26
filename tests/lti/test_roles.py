import pytest

from lti_tool.lti.roles import course_role
from lti_tool.lti.vocab import CourseRole

MEMBER = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INST = "http://purl.imsglobal.org/vocab/lis/v2/institution/person"
SYS = "http://purl.imsglobal.org/vocab/lis/v2/system/person"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([f"{MEMBER}#Instructor"], CourseRole.TEACHER),
        ([f"{MEMBER}/Instructor#TeachingAssistant"], CourseRole.TEACHER),
        ([f"{MEMBER}#ContentDeveloper"], CourseRole.TEACHER),
        ([f"{MEMBER}#Learner"], CourseRole.STUDENT),
        (["Learner"], CourseRole.STUDENT),  # Moodle NRPS short names
        (["Instructor"], CourseRole.TEACHER),
        ([f"{MEMBER}#Mentor"], CourseRole.OBSERVER),
        ([f"{SYS}#Administrator"], CourseRole.ADMIN),
        ([f"{INST}#Administrator"], CourseRole.ADMIN),
        ([f"{MEMBER}#Administrator"], CourseRole.ADMIN),
        # An institution Instructor is not a teacher of this course (DESIGN correction 9).
        ([f"{INST}#Instructor", f"{MEMBER}#Learner"], CourseRole.STUDENT),
        ([f"{INST}#Instructor"], CourseRole.NONE),
        ([f"{INST}#Faculty", f"{MEMBER}#Learner"], CourseRole.STUDENT),
        # Teaching wins over learning when both are held.
        ([f"{MEMBER}#Learner", f"{MEMBER}#Instructor"], CourseRole.TEACHER),
        ([f"{SYS}#Administrator", f"{MEMBER}#Learner"], CourseRole.STUDENT),
        ([], CourseRole.NONE),
        (["http://example.com/unknown#Role"], CourseRole.NONE),
        ([42, None], CourseRole.NONE),
    ],
)
def test_course_role(roles, expected):
    assert course_role(roles) == expected
