"""Assignment and Grade Services 2.0: line items, scores and results."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from flask import current_app

from ..models import Platform
from .http import OutboundClient
from .service import (
    Delivered,
    Outcome,
    Rejected,
    ServiceCallFailed,
    ServiceClient,
    with_path_suffix,
    with_query,
)
from .service_token import (
    ServiceTokens,
)
from .vocab import MediaType, Scope

# Not in vocab.Claim yet: Canvas's extension that stops each score opening a new submission.
CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"
# Canvas throttles per client id: at most this many calls in flight per registration.
MAX_CONCURRENT_CALLS = 4
AGS_SCOPES: tuple[Scope, ...] = (
    Scope.LINEITEM,
    Scope.LINEITEM_READONLY,
    Scope.RESULT_READONLY,
    Scope.SCORE,
)


class ActivityProgress(StrEnum):
    COMPLETED = "Completed"
    SUBMITTED = "Submitted"


class GradingProgress(StrEnum):
    # Anything but FullyGraded clears the grade in Canvas and Moodle (correction 6).
    FULLY_GRADED = "FullyGraded"


def iso_utc(moment: datetime) -> str:
    """UTC ISO 8601 with milliseconds and 'Z', as Canvas and Moodle both parse it."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime cannot be sent as an AGS timestamp")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Score:
    """One score for one user; `timestamp` must grow per (line item, user) by >= 1 s."""

    user_id: str
    score_given: float
    score_maximum: float
    timestamp: datetime
    comment: str | None = None
    activity_progress: str = ActivityProgress.COMPLETED
    grading_progress: str = GradingProgress.FULLY_GRADED

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "userId": self.user_id,
            "scoreGiven": self.score_given,
            "scoreMaximum": self.score_maximum,
            "timestamp": iso_utc(self.timestamp),
            "activityProgress": str(self.activity_progress),
            "gradingProgress": str(self.grading_progress),
            # Without it each score is a new Canvas submission (correction 3).
            CANVAS_SUBMISSION: {"new_submission": False},
        }
        # Each comment notifies the student and observers: send it only when given.
        if self.comment:
            body["comment"] = self.comment
        return body


@dataclass(frozen=True)
class LineItem:
    """A gradebook column the tool owns; `id` is its URL."""

    id: str
    label: str
    score_maximum: float
    tag: str = ""
    resource_id: str = ""
    resource_link_id: str = ""
    start_date_time: str | None = None
    end_date_time: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LineItem:
        return cls(
            id=str(data["id"]),
            label=str(data.get("label", "")),
            score_maximum=float(data.get("scoreMaximum") or 0),
            tag=str(data.get("tag") or ""),
            resource_id=str(data.get("resourceId") or ""),
            resource_link_id=str(data.get("resourceLinkId") or ""),
            start_date_time=data.get("startDateTime"),
            end_date_time=data.get("endDateTime"),
        )

    def matches(self, *, tag: str | None, resource_id: str | None, link: str | None) -> bool:
        """Whether the given identities (None: any) all match; some platforms ignore filters."""
        wanted = ((tag, self.tag), (resource_id, self.resource_id), (link, self.resource_link_id))
        return all(want is None or want == have for want, have in wanted)


@dataclass(frozen=True)
class ResultRecord:
    """A user's current result on a line item; AGS results carry no date (correction 5)."""

    user_id: str
    result_score: float | None
    result_maximum: float | None
    comment: str | None
    id: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResultRecord:
        score, maximum = data.get("resultScore"), data.get("resultMaximum")
        return cls(
            user_id=str(data["userId"]),
            result_score=None if score is None else float(score),
            result_maximum=None if maximum is None else float(maximum),
            comment=data.get("comment"),
            id=str(data.get("id", "")),
        )


def _as_list(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, list):
        raise ServiceCallFailed(Rejected(status=200, message="the container is not a JSON array"))
    return [item for item in body if isinstance(item, dict)]


class AgsClient(ServiceClient):
    """AGS calls for one platform registration, all through the tool's OutboundClient."""

    def __init__(
        self,
        platform: Platform,
        tokens: ServiceTokens,
        outbound: OutboundClient,
        *,
        scopes: tuple[str, ...] | list[str] = AGS_SCOPES,
        max_concurrent: int = MAX_CONCURRENT_CALLS,
        **options: Any,
    ):
        # One token for every AGS call of a batch: ask for all granted scopes at once.
        super().__init__(platform, tokens, outbound, scopes=scopes, **options)
        self.max_concurrent = max_concurrent

    def line_items(
        self,
        container_url: str,
        *,
        resource_link_id: str | None = None,
        tag: str | None = None,
        resource_id: str | None = None,
        limit: int | None = None,
    ) -> list[LineItem]:
        """Every line item of the container (the tool's own only), all pages followed."""
        url = with_query(
            container_url,
            resource_link_id=resource_link_id,
            tag=tag,
            resource_id=resource_id,
            limit=limit,
        )
        pages = self.fetch_pages(url, MediaType.LINEITEM_CONTAINER)
        items = [LineItem.from_json(data) for body in pages for data in _as_list(body)]
        return [
            i for i in items if i.matches(tag=tag, resource_id=resource_id, link=resource_link_id)
        ]

    def find_or_create_line_item(
        self,
        container_url: str,
        *,
        label: str,
        score_maximum: float,
        tag: str,
        resource_id: str,
        resource_link_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> LineItem:
        """The line item with these identities, created only when none exists yet."""
        found = self.line_items(
            container_url, resource_link_id=resource_link_id, tag=tag, resource_id=resource_id
        )
        if found:
            return found[0]
        return self.create_line_item(
            container_url,
            label=label,
            score_maximum=score_maximum,
            tag=tag,
            resource_id=resource_id,
            resource_link_id=resource_link_id,
            start=start,
            end=end,
        )

    def create_line_item(
        self,
        container_url: str,
        *,
        label: str,
        score_maximum: float,
        tag: str,
        resource_id: str,
        resource_link_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> LineItem:
        """Create a line item (POST to the container); ServiceCallFailed when refused."""
        body: dict[str, Any] = {"label": label, "scoreMaximum": score_maximum}
        optional = {
            "tag": tag,
            "resourceId": resource_id,
            "resourceLinkId": resource_link_id,
            "startDateTime": iso_utc(start) if start else None,
            "endDateTime": iso_utc(end) if end else None,
        }
        body.update({name: value for name, value in optional.items() if value})
        outcome = self.call(
            "POST",
            container_url,
            accept=MediaType.LINEITEM,
            body=body,
            content_type=MediaType.LINEITEM,
        )
        if not isinstance(outcome, Delivered) or not isinstance(outcome.body, dict):
            raise ServiceCallFailed(outcome)
        return LineItem.from_json(outcome.body)

    def update_line_item(
        self, item: LineItem, *, label: str, start: datetime | None, end: datetime | None
    ) -> LineItem:
        """Change a line item's label and dates (PUT of the whole item; its results stay)."""
        body: dict[str, Any] = {"label": label, "scoreMaximum": item.score_maximum}
        optional = {
            "tag": item.tag,
            "resourceId": item.resource_id,
            "resourceLinkId": item.resource_link_id,
            "startDateTime": iso_utc(start) if start else None,
            "endDateTime": iso_utc(end) if end else None,
        }
        body.update({name: value for name, value in optional.items() if value})
        outcome = self.call(
            "PUT", item.id, accept=MediaType.LINEITEM, body=body, content_type=MediaType.LINEITEM
        )
        if not isinstance(outcome, Delivered) or not isinstance(outcome.body, dict):
            raise ServiceCallFailed(outcome)
        return LineItem.from_json(outcome.body)

    def post_score(self, line_item_url: str, score: Score) -> Outcome:
        """Send one score; Superseded means the platform holds a newer timestamp."""
        return self.call(
            "POST",
            with_path_suffix(line_item_url, "/scores"),
            accept="application/json",
            body=score.to_json(),
            content_type=MediaType.SCORE,
            is_score=True,
        )

    def post_scores(self, scores: Sequence[tuple[str, Score]]) -> list[Outcome]:
        """Send many scores over pooled connections, at most `max_concurrent` at a time.

        Outcomes come back in the order given. The access token is fetched once, before the
        threads start, so a batch costs one token request at most.
        """
        if not scores:
            return []
        first = self.post_score(*scores[0])
        concurrency = self.max_concurrent
        if len(scores) == 1 or concurrency <= 1:
            return [first, *(self.post_score(url, score) for url, score in scores[1:])]
        app = current_app._get_current_object()  # type: ignore[attr-defined]

        def send(item: tuple[str, Score]) -> Outcome:
            with app.app_context():  # a refused token is dropped from the database
                return self.post_score(*item)

        with ThreadPoolExecutor(concurrency, thread_name_prefix="ags") as pool:
            return [first, *pool.map(send, scores[1:])]

    def results(
        self, line_item_url: str, user_id: str | None = None, *, limit: int | None = None
    ) -> list[ResultRecord]:
        """The line item's results (one user's when given), all pages followed."""
        url = with_query(with_path_suffix(line_item_url, "/results"), user_id=user_id, limit=limit)
        pages = self.fetch_pages(url, MediaType.RESULT_CONTAINER)
        return [ResultRecord.from_json(data) for body in pages for data in _as_list(body)]
