"""A student's self-assessment on a standard: the level they think they are at and what they
did, stored as evidence of source "self". The teacher sees it in the standard's history; no
calculation counts it (services/mastery_rows.py leaves it out as it does exempt evidence), so
it never moves a level or a grade."""

from __future__ import annotations

from flask_babel import gettext as _

from ..errors import MasteryRejected
from ..models import Course, Evidence, User
from ..models.evidence import SELF
from ..models.types import utcnow
from .course_settings import domain_scale, settings_for
from .evidence import record_evidence

REFLECTION_LIMIT = 2000


def self_assess(
    course: Course, student: User, standard_id: int, points: float | None, reflection: str
) -> Evidence:
    """Record the student's own rating (a level of the course's scale) with their reflection."""
    scale = domain_scale(settings_for(course).scale)
    choices = {level.points for level in scale.levels if level.counts_as_score}
    problems = []
    if points is None or points not in choices:
        problems.append(_("Choose the level you think you are at."))
    text = (reflection or "").strip()
    if not text:
        problems.append(_("Write what you did: it is what your teacher reads."))
    elif len(text) > REFLECTION_LIMIT:
        problems.append(
            _(
                "Keep it under %(limit)s characters (%(now)s now).",
                limit=REFLECTION_LIMIT,
                now=len(text),
            )
        )
    if problems:
        raise MasteryRejected(" ".join(problems))
    return record_evidence(
        course,
        student,
        standard_id,
        float(points or 0),
        actor=student,
        source=SELF,
        demonstrated_at=utcnow(),
        comment=text,
    )
