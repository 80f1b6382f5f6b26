"""Gradebook rules: line items, scores (Canvas/Moodle timestamp rules), results."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from devplatform.store import LineItem, Result, Store
from devplatform.vocab import Claim, GradingProgress


class ScoreRejected(Exception):
    """A score the platform refuses, with the HTTP status a real LMS would answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp (a trailing Z allowed) as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def now_iso() -> str:
    """The current UTC time in ISO 8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def result_key(line_item_id: str, user_id: str) -> str:
    """The Store key of a Result."""
    return f"{line_item_id}:{user_id}"


def create_line_item(store: Store, context_id: str, data: dict[str, Any],
                     client_id: str | None) -> LineItem:
    """Create a line item from AGS JSON (client_id None makes a native LMS column)."""
    label = data.get("label")
    maximum = data.get("scoreMaximum")
    if not isinstance(label, str) or not label.strip():
        raise ScoreRejected(400, "label is required")
    if not isinstance(maximum, int | float) or isinstance(maximum, bool) or maximum <= 0:
        raise ScoreRejected(400, "scoreMaximum must be a positive number")
    with store.lock:
        item = LineItem(
            id=store.new_id(), context_id=context_id, label=label,
            score_maximum=float(maximum), client_id=client_id,
            resource_id=str(data.get("resourceId") or ""), tag=str(data.get("tag") or ""),
            resource_link_id=data.get("resourceLinkId") or None,
            start_date_time=data.get("startDateTime"), end_date_time=data.get("endDateTime"),
        )
        store.state.line_items[item.id] = item
        store.save()
    return item


def update_line_item(store: Store, item: LineItem, data: dict[str, Any]) -> LineItem:
    """Apply an AGS PUT body to a line item (the id and binding stay)."""
    if "scoreMaximum" in data:
        maximum = data["scoreMaximum"]
        if not isinstance(maximum, int | float) or maximum <= 0:
            raise ScoreRejected(400, "scoreMaximum must be a positive number")
        item.score_maximum = float(maximum)
    with store.lock:
        item.label = str(data.get("label", item.label))
        item.resource_id = str(data.get("resourceId", item.resource_id) or "")
        item.tag = str(data.get("tag", item.tag) or "")
        item.start_date_time = data.get("startDateTime", item.start_date_time)
        item.end_date_time = data.get("endDateTime", item.end_date_time)
        store.save()
    return item


def delete_line_item(store: Store, item: LineItem) -> None:
    """Delete a line item with its results and history."""
    with store.lock:
        store.state.line_items.pop(item.id, None)
        store.state.score_history.pop(item.id, None)
        for key in [k for k, r in store.state.results.items() if r.line_item_id == item.id]:
            del store.state.results[key]
        store.save()


def _check_timestamp(mode: str, stored: str | None, incoming: datetime) -> None:
    if stored is None:
        return
    previous = parse_timestamp(stored)
    if mode == "moodle":
        # Moodle compares whole seconds and refuses when it holds the same or a later time.
        if int(previous.timestamp()) >= int(incoming.timestamp()):
            raise ScoreRejected(409, "The score has already been updated with a later timestamp")
    elif incoming < previous:
        raise ScoreRejected(
            400,
            f"Provided timestamp of {incoming.isoformat()} before last updated timestamp "
            f"of {previous.isoformat()}",
        )


def _validate_score(item: LineItem, data: dict[str, Any]) -> datetime:
    for name in ("userId", "timestamp", "activityProgress", "gradingProgress"):
        if not data.get(name):
            raise ScoreRejected(400, f"{name} is required")
    given, maximum = data.get("scoreGiven"), data.get("scoreMaximum")
    if given is not None:
        if not isinstance(given, int | float) or isinstance(given, bool) or given < 0:
            raise ScoreRejected(400, "scoreGiven must be a non-negative number")
        if not isinstance(maximum, int | float) or isinstance(maximum, bool) or maximum <= 0:
            raise ScoreRejected(400, "scoreMaximum is required with scoreGiven")
    try:
        return parse_timestamp(str(data["timestamp"]))
    except ValueError as exc:
        raise ScoreRejected(400, "timestamp is not ISO 8601") from exc


def apply_score(store: Store, item: LineItem, data: dict[str, Any], mode: str) -> Result:
    """Record a score the way Canvas or Moodle would."""
    incoming = _validate_score(item, data)
    user_id = str(data["userId"])
    course = store.state.courses[item.context_id]
    if user_id not in course.enrollments:
        raise ScoreRejected(400, f"user {user_id} is not in the course")
    with store.lock:
        key = result_key(item.id, user_id)
        result = store.state.results.get(key) or Result(line_item_id=item.id, user_id=user_id)
        _check_timestamp(mode, result.timestamp, incoming)
        fully_graded = data["gradingProgress"] == GradingProgress.FULLY_GRADED
        given = data.get("scoreGiven")
        if fully_graded and given is not None:
            # Canvas and Moodle scale the score to the line item's maximum.
            result.score_given = float(given) / float(data["scoreMaximum"]) * item.score_maximum
            result.score_maximum = item.score_maximum
        else:
            # Anything but FullyGraded clears the grade (DESIGN correction 6).
            result.score_given = None
            result.score_maximum = None
        result.timestamp = str(data["timestamp"])
        result.activity_progress = str(data["activityProgress"])
        result.grading_progress = str(data["gradingProgress"])
        comment = data.get("comment")
        result.comment = comment if isinstance(comment, str) else None
        if result.comment:
            result.comments.append(result.comment)
        submission = data.get(Claim.CANVAS_SUBMISSION) or {}
        if submission.get("new_submission", True) is not False:
            result.submission_count += 1
        store.state.results[key] = result
        entry = dict(data, received_at=now_iso())
        store.state.score_history.setdefault(item.id, []).append(entry)
        store.save()
    return result


def set_grade(store: Store, item: LineItem, user_id: str, score: float | None,
              comment: str | None = None) -> Result:
    """Grade directly in the LMS (as in SpeedGrader): no timestamp rules."""
    with store.lock:
        key = result_key(item.id, user_id)
        result = store.state.results.get(key) or Result(line_item_id=item.id, user_id=user_id)
        result.score_given = None if score is None else float(score)
        result.score_maximum = None if score is None else item.score_maximum
        result.timestamp = now_iso()
        result.grading_progress = GradingProgress.FULLY_GRADED
        if comment:
            result.comment = comment
            result.comments.append(comment)
        store.state.results[key] = result
        store.save()
    return result


def gradebook(store: Store, context_id: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Per line item id, per user id: the current result as a plain dict."""
    book: dict[str, dict[str, dict[str, Any]]] = {}
    for item in store.state.line_items.values():
        if item.context_id != context_id:
            continue
        book[item.id] = {
            r.user_id: asdict(r) for r in store.state.results.values()
            if r.line_item_id == item.id
        }
    return book
