"""LMS results as evidence: read the aligned columns' results back through their cut scores.

AGS results carry no date (DESIGN.md correction 5): a value is dated when a sync first sees
it. Each synced row's import key names the line item, student, standard, result value and the
level it maps to, and how often that pair occurred before in the cell. A cell is unchanged while
its newest synced key matches what the LMS holds, so re-syncing adds nothing and a teacher's
correction of synced evidence stands until the LMS value changes. A changed value supersedes the
live evidence (history kept); a changed cut-score table re-maps the level and keeps the date.

A sync reads every aligned line item's results before writing anything: a platform failure on
any of them raises ServiceCallFailed and records nothing, from any line item. The sync is one
unit the worker retries whole; re-syncing is idempotent, so only time is lost. A line item the
platform no longer has (404) is skipped and named in the report, so one deleted column does not
stop the others. Flushes only: the caller commits.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..errors import MasteryRejected
from ..extensions import db
from ..lti.ags import ResultRecord
from ..lti.service import Gone, ServiceCallFailed
from ..lti.vocab import CourseRole, Scope
from ..models import Alignment, Assessment, Course, CourseStandard, Enrollment, User
from ..models.types import utcnow
from .course_settings import settings_for
from .evidence_cells import (
    Cell,
    CellChange,
    CellHistory,
    apply_changes,
    cell_change,
    cell_histories,
)
from .lms_columns import (
    CutScores,
    ags_client,
    align_line_item,
    aligned_columns,
    checked_cut_scores,
    in_container,
    level_for,
    lms_line_items,
    stable_tag,
)
from .roster import ACTIVE, described

__all__ = [
    "Remap",
    "ResultsReport",
    "align_line_item",
    "checked_cut_scores",
    "level_for",
    "lms_line_items",
    "preview_cut_scores",
    "stable_tag",
    "sync_results",
]

SOURCE = "lms"
# AGS 2.0: a result without resultMaximum is out of 1.
DEFAULT_RESULT_MAXIMUM = 1.0


@dataclass
class ResultsReport:
    """What a sync did; added/superseded/unchanged count evidence, skipped_* count results."""

    line_items: int = 0
    added: int = 0
    superseded: int = 0
    unchanged: int = 0
    skipped_no_score: int = 0
    skipped_unknown: int = 0
    skipped_inactive: int = 0
    gone: list[str] = field(default_factory=list)  # titles of columns the LMS no longer has
    problems: list[str] = field(default_factory=list)  # alignments that no longer fit the course

    def summary(self) -> str:
        """One line for the job log and the sync status page."""
        skipped = self.skipped_no_score + self.skipped_unknown + self.skipped_inactive
        line = (
            f"{self.line_items} LMS columns: {self.added} new evidence, {self.superseded} "
            f"superseded, {self.unchanged} unchanged, {skipped} results skipped"
        )
        return "; ".join([line, *(f"“{title}” is gone" for title in self.gone), *self.problems])


def sync_results(
    course: Course,
    *,
    actor: User | None = None,
    now: datetime | None = None,
    page_size: int | None = None,
) -> ResultsReport:
    """Read every aligned LMS column's results and record what changed as LMS evidence."""
    now = now or utcnow()
    assessments = _aligned(course)
    report = ResultsReport(line_items=len(assessments))
    fetched = _fetch_results(course, assessments, report, page_size)
    if not fetched:
        return report
    usable = _usable_alignments(course, [assessment for assessment, _ in fetched], report)
    history = cell_histories(course, SOURCE, [assessment.id for assessment, _ in fetched])
    changes = _plan(fetched, usable, _students(course), history, report, now)
    added, superseded = apply_changes(course, changes, actor=actor, source=SOURCE)
    report.added += added
    report.superseded += superseded
    return report


def _plan(
    fetched: list[tuple[Assessment, list[ResultRecord]]],
    usable: dict[int, list[Alignment]],
    students: dict[str, tuple[int, str, str]],
    history: dict[Cell, CellHistory],
    report: ResultsReport,
    now: datetime,
) -> list[CellChange]:
    """The evidence each result needs on each aligned standard; skips and no-ops counted."""
    changes: list[CellChange] = []
    for assessment, results in fetched:
        for result in results:
            student_id = _student_for(result, students, report)
            if student_id is None:
                continue
            value = _value(result)
            if value is None:
                report.skipped_no_score += 1
                continue
            for alignment in usable[assessment.id]:
                cell = (assessment.id, student_id, alignment.standard_id)
                change = _change(assessment, alignment, result.user_id, value, cell, history, now)
                if change is None:
                    report.unchanged += 1
                else:
                    changes.append(change)
    return changes


def _aligned(course: Course) -> list[Assessment]:
    return sorted(aligned_columns(course).values(), key=lambda assessment: assessment.id)


def _fetch_results(
    course: Course, assessments: list[Assessment], report: ResultsReport, page_size: int | None
) -> list[tuple[Assessment, list[ResultRecord]]]:
    """Every aligned column's results, read before anything is written."""
    if not assessments:
        return []
    client = ags_client(course, Scope.RESULT_READONLY)
    fetched = []
    for assessment in assessments:
        if not in_container(course, assessment.line_item_url):
            report.problems.append(f"“{assessment.title}” is not a column of this course.")
            continue
        try:
            results = client.results(str(assessment.line_item_url), limit=page_size)
        except ServiceCallFailed as error:
            if isinstance(error.outcome, Gone):
                report.gone.append(assessment.title)
                continue
            doing = f"Reading the results of “{assessment.title}” in {course.display_name}"
            raise described(error, doing) from error
        fetched.append((assessment, results))
    return fetched


def _usable_alignments(
    course: Course, assessments: list[Assessment], report: ResultsReport
) -> dict[int, list[Alignment]]:
    """Alignments whose standard is adopted and whose cut scores fit the scale of today."""
    scale = settings_for(course).scale
    adopted = set(
        db.session.scalars(
            select(CourseStandard.standard_id).where(CourseStandard.course_id == course.id)
        )
    )
    usable: dict[int, list[Alignment]] = {}
    for assessment in assessments:
        usable[assessment.id] = []
        for alignment in assessment.alignments:
            try:
                if alignment.standard_id not in adopted:
                    raise MasteryRejected("aligned to a standard the course no longer uses")
                checked_cut_scores(alignment.cut_scores, scale)
            except MasteryRejected as error:
                report.problems.append(f"“{assessment.title}”: {error.message}")
            else:
                usable[assessment.id].append(alignment)
    return usable


def _students(course: Course) -> dict[str, tuple[int, str, str]]:
    """The course's people by sub: (user id, role, enrolment status)."""
    rows = db.session.execute(
        select(User.sub, User.id, Enrollment.role, Enrollment.status)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.course_id == course.id)
    )
    return {sub: (user_id, role, status) for sub, user_id, role, status in rows}


def _student_for(
    result: ResultRecord, students: dict[str, tuple[int, str, str]], report: ResultsReport
) -> int | None:
    """The enrolled, active student the result is for; anyone else is counted, never guessed."""
    found = students.get(result.user_id)
    if found is None or found[1] != CourseRole.STUDENT:
        report.skipped_unknown += 1
        return None
    if found[2] != ACTIVE:
        report.skipped_inactive += 1
        return None
    return found[0]


def _value(result: ResultRecord) -> tuple[float, float] | None:
    """(score, maximum) when the result holds a usable score."""
    score = result.result_score
    maximum = DEFAULT_RESULT_MAXIMUM if result.result_maximum is None else result.result_maximum
    if score is None or not (math.isfinite(score) and math.isfinite(maximum)):
        return None
    return (score, maximum) if score >= 0 and maximum > 0 else None


def _change(
    assessment: Assessment,
    alignment: Alignment,
    sub: str,
    value: tuple[float, float],
    cell: Cell,
    history: dict[Cell, CellHistory],
    now: datetime,
) -> CellChange | None:
    """What the cell needs for this value, or None when its newest synced row already says it."""
    score, maximum = value
    percent = round(score * 100 / maximum, 6)
    points = level_for(alignment.cut_scores, percent)
    identity = f"{assessment.line_item_url}|{sub}|{alignment.standard_id}|{score!r}/{maximum!r}"
    return cell_change(
        cell,
        history,
        value_id=hashlib.sha256(identity.encode()).hexdigest()[:40],
        level=f"{points:g}",
        points=points,
        comment=f"{assessment.title}: {score:g}/{maximum:g} ({round(percent, 1):g}%) in the LMS",
        now=now,
    )


@dataclass(frozen=True)
class Remap:
    """Evidence already read through the old cut scores whose level the new ones change."""

    student_id: int
    standard_id: int
    percent: float
    before: float  # level points under the old cut scores
    after: float  # under the new ones
    evidence_id: int  # the live row the sync would supersede


def preview_cut_scores(
    course: Course, assessment: Assessment, tables: dict[int, CutScores]
) -> list[Remap]:
    """What the next sync would re-map if `assessment`'s cut scores became `tables`.

    Reads the column's results from the platform (ServiceCallFailed when it cannot) and writes
    nothing. A cell counts when its live evidence came from this very value under the old cut
    scores and the new ones give it another level: the sync supersedes it, keeping its date.
    Values the LMS changed since the last sync are left out (the sync records those anyway).
    """
    report = ResultsReport()
    fetched = _fetch_results(course, [assessment], report, None)
    students = _students(course)
    history = cell_histories(course, SOURCE, [assessment.id])
    now = utcnow()
    found: list[Remap] = []
    for _assessment, results in fetched:
        for result in results:
            student_id = _student_for(result, students, report)
            value = _value(result)
            if student_id is None or value is None:
                continue
            percent = round(value[0] * 100 / value[1], 6)
            for alignment in assessment.alignments:
                new = tables.get(alignment.standard_id)
                if new is None:
                    continue
                cell = (assessment.id, student_id, alignment.standard_id)
                proposed = Alignment(standard_id=alignment.standard_id, cut_scores=new)
                args = (result.user_id, value, cell, history, now)
                is_read_as_now = _change(assessment, alignment, *args) is None
                if is_read_as_now and _change(assessment, proposed, *args) is not None:
                    before = level_for(alignment.cut_scores, percent)
                    after = level_for(new, percent)
                    live = history[cell].live
                    assert live is not None  # read as now: the cell has its live row
                    found.append(
                        Remap(student_id, alignment.standard_id, percent, before, after, live[0])
                    )
    return found
