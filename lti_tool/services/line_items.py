"""The line items behind the tool's gradebook columns: found by tag or created, by the worker.

Never inside a web request. A column's line item is looked up by its tag among the tool's own
line items (AGS shows a tool nothing else) and created only when none is free. The platform may
hold several line items tagged as the summary (each deep-linked placement of the tool makes
one): every one becomes a column of its own (`GradeColumn.placement`) and gets the summary. A
published assessment's column also remembers its line item on the assessment, so an assessment
graded in the LMS is read back by "Sync from LMS".
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..lti.ags import AGS_SCOPES, AgsClient, LineItem
from ..lti.context import lti
from ..lti.service import Gone, ServiceCallFailed
from ..lti.service_token import service_tokens
from ..lti.vocab import Scope
from ..models import SUMMARY_TAG, Assessment, Course, GradeColumn, ResourceLink
from . import jobs
from .periods import course_zone, period_label, period_window

log = logging.getLogger(__name__)


def grade_client(course: Course) -> AgsClient:
    """An AGS client with the course's granted scopes (one token per batch)."""
    scopes = [scope for scope in AGS_SCOPES if scope in (course.ags_scopes or AGS_SCOPES)]
    return AgsClient(
        course.platform,
        service_tokens(),
        lti().outbound,
        scopes=scopes,
        max_concurrent=int(current_app.config["AGS_MAX_CONCURRENT_CALLS"]),
    )


def has_summary_column(course: Course) -> bool:
    """Whether the course's LMS gradebook has a summary column of the tool's already."""
    found = db.session.scalar(
        select(GradeColumn.id)
        .where(
            GradeColumn.course_id == course.id,
            GradeColumn.tag == SUMMARY_TAG,
            GradeColumn.line_item_url.is_not(None),
        )
        .limit(1)
    )
    return found is not None


def link_line_item(course: Course) -> str | None:
    """A line item a launch named for one of the course's links (score scope only)."""
    return db.session.scalar(
        select(ResourceLink.lineitem_url)
        .where(ResourceLink.course_id == course.id, ResourceLink.lineitem_url.is_not(None))
        .order_by(ResourceLink.id)
        .limit(1)
    )


def line_item_url(client: AgsClient, course: Course, column: GradeColumn) -> str:
    """The column's line item, found by tag or created, remembered on the column.

    The column row is locked while this runs and committed straight after, so two workers
    never both create the line item of one column.
    """
    if column.line_item_url:
        return column.line_item_url
    db.session.refresh(column, with_for_update=True)
    if column.line_item_url:  # another worker resolved it while we waited
        db.session.commit()
        return column.line_item_url
    try:
        return _resolve(client, course, column)
    finally:
        db.session.commit()


def _resolve(client: AgsClient, course: Course, column: GradeColumn) -> str:
    container = course.ags_lineitems_url
    if container and {Scope.LINEITEM, Scope.LINEITEM_READONLY} & set(client.scopes):
        held = _held_urls(course, column)
        free = [i for i in client.line_items(container, tag=column.tag) if i.id not in held]
        if free:
            column.line_item_url = free[0].id
            if column.tag == SUMMARY_TAG:
                _add_summary_placements(course, column, free[1:])
        elif Scope.LINEITEM in client.scopes:
            start, end = _period_dates(course, column)
            column.line_item_url = client.create_line_item(
                container,
                label=column.label,
                score_maximum=column.score_maximum,
                tag=column.tag,
                resource_id=column.tag,
                start=start,
                end=end,
            ).id
    is_first_summary = column.tag == SUMMARY_TAG and not column.placement
    if not column.line_item_url and is_first_summary:
        column.line_item_url = link_line_item(course)
    if not column.line_item_url:
        raise ServiceCallFailed(
            Gone(message=f"The course has no gradebook column {column.label!r} for the tool.")
        )
    if column.assessment_id is not None:
        assessment = db.session.get(Assessment, column.assessment_id)
        if assessment is not None:
            assessment.line_item_url = column.line_item_url
    return column.line_item_url


def _period_dates(course: Course, column: GradeColumn) -> tuple[datetime | None, datetime | None]:
    """A grading period's column carries its dates, as Canvas's do: from 00:00 on the first
    day to 23:59:59 on the last, in the course's time zone."""
    if column.period is None:
        return None, None
    start, after = period_window(column.period, course_zone(course))
    return start, after - timedelta(seconds=1)


def _held_urls(course: Course, column: GradeColumn) -> set[str]:
    """Line items other columns of the course already send to."""
    query = select(GradeColumn.line_item_url).where(
        GradeColumn.course_id == course.id,
        GradeColumn.id != column.id,
        GradeColumn.line_item_url.is_not(None),
    )
    return {url for url in db.session.scalars(query) if url}


def _add_summary_placements(course: Course, first: GradeColumn, items: list[LineItem]) -> int:
    """A column per further summary-tagged line item; the worker then queues their grades."""
    for item in items:
        db.session.add(
            GradeColumn(
                course_id=course.id,
                tag=SUMMARY_TAG,
                placement=hashlib.sha256(item.id.encode()).hexdigest()[:40],
                label=item.label or first.label,
                score_maximum=first.score_maximum,
                line_item_url=item.id,
            )
        )
        log.info("course %s: another summary column in the LMS (%s)", course.id, item.id)
    if items:
        db.session.flush()
        jobs.enqueue("grades", course)
    return len(items)


def discover_columns(course: Course, *, assessments_only: bool = False) -> str:
    """Resolve the course's columns that have no line item yet; adopt new summary placements.

    Run by the worker after a publication and when a launch names a line item the tool has
    not seen (a new placement): a listing by tag, and a POST for a column that has none.
    `assessments_only` (before reading LMS results): published assessments' columns only, and
    no call at all when they are all resolved.
    """
    query = (
        select(GradeColumn)
        .where(GradeColumn.course_id == course.id, GradeColumn.gone_at.is_(None))
        .where(GradeColumn.is_active.is_(True))
        .order_by(GradeColumn.id)
    )
    if assessments_only:
        query = query.where(
            GradeColumn.assessment_id.is_not(None), GradeColumn.line_item_url.is_(None)
        )
    columns = list(db.session.scalars(query))
    if not course.ags_lineitems_url or (assessments_only and not columns):
        return ""
    client = grade_client(course)
    resolved = 0
    for column in columns:
        if column.line_item_url:
            continue
        try:
            line_item_url(client, course, column)
            resolved += 1
        except ServiceCallFailed as error:
            log.warning("column %s not resolved: %s", column.id, error.outcome.message)
    added = 0
    first = next((c for c in columns if c.tag == SUMMARY_TAG and c.line_item_url), None)
    can_list = bool({Scope.LINEITEM, Scope.LINEITEM_READONLY} & set(client.scopes))
    if first is not None and can_list and not assessments_only:
        held = _held_urls(course, first) | {str(first.line_item_url)}
        items = client.line_items(course.ags_lineitems_url, tag=SUMMARY_TAG)
        added = _add_summary_placements(course, first, [i for i in items if i.id not in held])
    moved = 0
    if can_list and Scope.LINEITEM in client.scopes and not assessments_only:
        moved = _follow_periods(client, course, [c for c in columns if c.period is not None])
    summary = f"{resolved} columns resolved, {added} more summary columns"
    return summary + (f", {moved} period columns updated" if moved else "")


def _follow_periods(client: AgsClient, course: Course, columns: list[GradeColumn]) -> int:
    """A renamed or moved period's LMS column gets its new label and dates (one listing, then
    a PUT only for those that differ). Its grades stay where they are."""
    columns = [c for c in columns if c.line_item_url]
    if not columns or not course.ags_lineitems_url:
        return 0
    in_lms = {item.id: item for item in client.line_items(course.ags_lineitems_url)}
    updated = 0
    for column in columns:
        item = in_lms.get(str(column.line_item_url))
        if item is None:
            continue  # deleted in the LMS: the grades flow marks it gone on its next score
        column.label = period_label(column.period)
        start, end = _period_dates(course, column)
        if (item.label, _moment(item.start_date_time), _moment(item.end_date_time)) == (
            column.label,
            start,
            end,
        ):
            continue
        try:
            client.update_line_item(item, label=column.label, start=start, end=end)
            updated += 1
        except ServiceCallFailed as error:
            log.warning("period column %s not updated: %s", column.id, error.outcome.message)
    return updated


def _moment(value: str | None) -> datetime | None:
    """An AGS timestamp as an aware datetime; None when absent or unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
