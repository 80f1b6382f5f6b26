"""Assignment and Grade Services 2.0: line items, scores and results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from devplatform import grading
from devplatform.context import get_platform
from devplatform.grading import ScoreRejected
from devplatform.store import LineItem, Result
from devplatform.tokens import ServiceAuthError, require_token, service_error
from devplatform.vocab import MediaType, Scope

bp = Blueprint("ags", __name__, url_prefix="/api/lti/courses/<context_id>")

DEFAULT_PAGE_SIZE = 50


@bp.errorhandler(ServiceAuthError)
def _auth_failed(exc: ServiceAuthError) -> Response:
    return service_error(exc.status, str(exc))


@bp.errorhandler(ScoreRejected)
def _rejected(exc: ScoreRejected) -> Response:
    return service_error(exc.status, exc.message)


def json_response(data: Any, media_type: str, status: int = 200) -> Response:
    """A JSON response with an LTI media type."""
    return Response(json.dumps(data), status=status, content_type=media_type)


def paginate(items: Sequence[Any], resp_builder: Any) -> Response:
    """Slice by `limit`/`page` and add a `Link: rel="next"` header when more remain."""
    try:
        limit = max(1, int(request.args.get("limit", DEFAULT_PAGE_SIZE)))
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        return service_error(400, "limit and page must be integers")
    start = (page - 1) * limit
    resp: Response = resp_builder(items[start:start + limit])
    if start + limit < len(items):
        args = dict(request.args.items(), page=str(page + 1), limit=str(limit))
        base = f"{get_platform().issuer}{request.path}"
        resp.headers["Link"] = f'<{base}?{urlencode(args)}>; rel="next"'
    return resp


def _base(context_id: str) -> str:
    return f"{get_platform().issuer}/api/lti/courses/{context_id}/line_items"


def line_item_json(item: LineItem) -> dict[str, Any]:
    """An AGS line item object."""
    data: dict[str, Any] = {"id": f"{_base(item.context_id)}/{item.id}", "label": item.label,
                            "scoreMaximum": item.score_maximum}
    optional = {"resourceId": item.resource_id, "tag": item.tag,
                "resourceLinkId": item.resource_link_id, "startDateTime": item.start_date_time,
                "endDateTime": item.end_date_time}
    data.update({k: v for k, v in optional.items() if v})
    return data


def result_json(item: LineItem, result: Result) -> dict[str, Any]:
    """An AGS result: no timestamp, as on Canvas and Moodle (DESIGN correction 5)."""
    url = f"{_base(item.context_id)}/{item.id}"
    data: dict[str, Any] = {"id": f"{url}/results/{result.user_id}", "scoreOf": url,
                            "userId": result.user_id}
    if result.score_given is not None:
        data["resultScore"] = result.score_given
        data["resultMaximum"] = item.score_maximum
    if result.comment:
        data["comment"] = result.comment
    return data


def _course_or_404(context_id: str, client_id: str) -> None:
    course = get_platform().courses.get(context_id)
    # As in Canvas, a tool not installed in the course cannot reach it.
    if course is None or client_id not in course.tools:
        raise ScoreRejected(404, f"no course {context_id} for this tool")


def _owned_item(context_id: str, item_id: str, client_id: str) -> LineItem:
    """A line item of the course owned by the client; others are invisible (404)."""
    _course_or_404(context_id, client_id)
    item = get_platform().store.state.line_items.get(item_id)
    if item is None or item.context_id != context_id or item.client_id != client_id:
        raise ScoreRejected(404, f"no line item {item_id}")
    return item


def _body(media_type: str) -> dict[str, Any]:
    """The JSON object sent, which must come with the AGS media type (Moodle refuses a score
    or line item sent as plain application/json)."""
    if request.mimetype != media_type:
        raise ScoreRejected(415, f"Content-Type must be {media_type}, not {request.mimetype!r}")
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise ScoreRejected(400, "the body must be a JSON object")
    return data


@bp.get("/line_items")
def list_line_items(context_id: str) -> Response:
    """The container of the requesting tool's own line items (Canvas filters by client id)."""
    access = require_token(Scope.LINEITEM, Scope.LINEITEM_READONLY)
    _course_or_404(context_id, access.client_id)
    p = get_platform()
    items = [i for i in p.line_items(context_id) if i.client_id == access.client_id]
    filters = {"resource_link_id": "resource_link_id", "resource_id": "resource_id",
               "tag": "tag"}
    for arg, attr in filters.items():
        if arg in request.args:
            items = [i for i in items if (getattr(i, attr) or "") == request.args[arg]]
    items.sort(key=lambda i: int(i.id) if i.id.isdigit() else 0)
    return paginate(items, lambda page: json_response(
        [line_item_json(i) for i in page], MediaType.LINEITEM_CONTAINER))


@bp.post("/line_items")
def create_line_item(context_id: str) -> Response:
    """Create a line item owned by the requesting tool."""
    access = require_token(Scope.LINEITEM)
    _course_or_404(context_id, access.client_id)
    data = _body(MediaType.LINEITEM)
    link_id = data.get("resourceLinkId")
    if link_id:
        link = get_platform().store.state.links.get(str(link_id))
        if link is None or link.context_id != context_id:
            raise ScoreRejected(400, f"no resource link {link_id} in this course")
    item = grading.create_line_item(get_platform().store, context_id, data, access.client_id)
    return json_response(line_item_json(item), MediaType.LINEITEM, 201)


@bp.get("/line_items/<item_id>")
def get_line_item(context_id: str, item_id: str) -> Response:
    """One line item."""
    access = require_token(Scope.LINEITEM, Scope.LINEITEM_READONLY)
    return json_response(line_item_json(_owned_item(context_id, item_id, access.client_id)),
                         MediaType.LINEITEM)


@bp.put("/line_items/<item_id>")
def put_line_item(context_id: str, item_id: str) -> Response:
    """Update a line item."""
    access = require_token(Scope.LINEITEM)
    item = _owned_item(context_id, item_id, access.client_id)
    grading.update_line_item(get_platform().store, item, _body(MediaType.LINEITEM))
    return json_response(line_item_json(item), MediaType.LINEITEM)


@bp.delete("/line_items/<item_id>")
def delete_line_item(context_id: str, item_id: str) -> Response:
    """Delete a line item."""
    access = require_token(Scope.LINEITEM)
    item = _owned_item(context_id, item_id, access.client_id)
    grading.delete_line_item(get_platform().store, item)
    return Response(status=204)


@bp.post("/line_items/<item_id>/scores")
def post_score(context_id: str, item_id: str) -> Response:
    """Record a score (Canvas or Moodle timestamp rules, per SCORE_TIMESTAMP_MODE)."""
    access = require_token(Scope.SCORE)
    item = _owned_item(context_id, item_id, access.client_id)
    p = get_platform()
    mode = str(p.config.get("SCORE_TIMESTAMP_MODE", "canvas"))
    body = _body(MediaType.SCORE)
    grading.apply_score(p.store, item, body, mode)
    url = f"{_base(context_id)}/{item.id}"
    return json_response({"resultUrl": f"{url}/results/{body['userId']}"},
                         "application/json", 200)


@bp.get("/line_items/<item_id>/results")
def list_results(context_id: str, item_id: str) -> Response:
    """The results container of a line item, optionally for one user."""
    access = require_token(Scope.RESULT_READONLY)
    item = _owned_item(context_id, item_id, access.client_id)
    results = [r for r in get_platform().store.state.results.values()
               if r.line_item_id == item.id]
    if "user_id" in request.args:
        results = [r for r in results if r.user_id == request.args["user_id"]]
    results.sort(key=lambda r: r.user_id)
    return paginate(results, lambda page: json_response(
        [result_json(item, r) for r in page], MediaType.RESULT_CONTAINER))
