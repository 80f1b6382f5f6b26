"""Deep Linking 2.0 return: verify the tool's response and add the chosen activities."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from devplatform import grading
from devplatform.context import error_page, get_platform
from devplatform.keys import TokenError, check_times, unverified_claims
from devplatform.messages import HintError, unseal
from devplatform.store import ResourceLink
from devplatform.vocab import (
    DL_CONTENT_LTI_RESOURCE_LINK,
    LTI_VERSION,
    MOODLE_EMPTY_CUSTOM_ERROR,
    Claim,
    MessageType,
)

bp = Blueprint("deeplinking", __name__)

# The Deep Linking spec caps the response's lifetime.
MAX_RESPONSE_LIFETIME_S = 600


class DeepLinkError(Exception):
    """A deep linking response the platform refuses."""


def verify_response(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify the response JWT; return its claims and the decoded `data`."""
    p = get_platform()
    client_id = str(unverified_claims(token).get("iss"))
    reg = p.registrations.get(client_id)
    if reg is None:
        raise DeepLinkError(f"iss {client_id!r} is not a registered client id")
    claims = p.tool_keys.verify(token, str(p.tool_urls(client_id)["jwks_url"]))
    aud = claims.get("aud")
    if p.issuer not in (aud if isinstance(aud, list) else [aud]):
        raise DeepLinkError(f"aud must be the platform issuer {p.issuer}")
    check_times(claims, max_lifetime_s=MAX_RESPONSE_LIFETIME_S)
    if not claims.get("nonce"):
        raise DeepLinkError("nonce is required")
    if claims.get(Claim.MESSAGE_TYPE) != MessageType.DEEP_LINKING_RESPONSE:
        raise DeepLinkError(f"message_type must be {MessageType.DEEP_LINKING_RESPONSE}")
    if claims.get(Claim.VERSION) != LTI_VERSION:
        raise DeepLinkError(f"version must be {LTI_VERSION}")
    if claims.get(Claim.DEPLOYMENT_ID) not in reg.deployment_ids:
        raise DeepLinkError("unknown deployment_id")
    try:
        data = unseal(p.secret, str(claims.get(Claim.DL_DATA) or ""))
    except HintError as exc:
        raise DeepLinkError(f"data was not echoed as sent: {exc}") from exc
    if data.get("cl") != client_id or data.get("d") != claims[Claim.DEPLOYMENT_ID]:
        raise DeepLinkError("data belongs to another tool or deployment")
    return claims, data


def _check_items(items: Any) -> list[dict[str, Any]]:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DeepLinkError("content_items must be a list of objects")
    for item in items:
        if item.get("type") != DL_CONTENT_LTI_RESOURCE_LINK:
            continue
        custom = item.get("custom")
        # Moodle 4.5 (PHP) decodes {} as an array and crashes on it.
        if custom is not None and (not isinstance(custom, dict) or not custom):
            raise DeepLinkError(MOODLE_EMPTY_CUSTOM_ERROR)
        line_item = item.get("lineItem")
        if line_item is not None and not isinstance(line_item, dict):
            raise DeepLinkError("lineItem must be an object")
    return items


def add_items(context_id: str, client_id: str, items: list[dict[str, Any]]) -> list[str]:
    """Create a resource link (and its line item) per ltiResourceLink content item."""
    p = get_platform()
    titles: list[str] = []
    for item in items:
        if item.get("type") != DL_CONTENT_LTI_RESOURCE_LINK:
            continue
        link = ResourceLink(
            id=p.store.new_id(), context_id=context_id, client_id=client_id,
            title=str(item.get("title") or "Untitled activity"),
            description=str(item.get("text") or ""), url=item.get("url") or None,
            custom={str(k): str(v) for k, v in (item.get("custom") or {}).items()})
        with p.store.lock:
            p.store.state.links[link.id] = link
            p.store.save()
        spec = item.get("lineItem")
        if spec:
            data = {"label": spec.get("label") or link.title,
                    "scoreMaximum": spec.get("scoreMaximum"), "resourceId": spec.get("resourceId"),
                    "tag": spec.get("tag"), "resourceLinkId": link.id}
            grading.create_line_item(p.store, context_id, data, client_id)
        titles.append(link.title)
    return titles


@bp.post("/deep_linking/return")
def deep_linking_return() -> Any:
    """Receive the tool's `JWT` form field and add the returned activities."""
    token = request.form.get("JWT", "")
    if not token:
        return error_page(400, "Deep linking failed", "the form field JWT is missing")
    try:
        claims, data = verify_response(token)
        items = _check_items(claims.get(Claim.DL_CONTENT_ITEMS))
        titles = add_items(str(data["c"]), str(claims["iss"]), items)
    except (DeepLinkError, TokenError, grading.ScoreRejected) as exc:
        return error_page(400, "Deep linking failed", str(exc))
    return render_template(
        "dl_done.html", titles=titles, msg=claims.get(Claim.DL_MSG),
        errormsg=claims.get(Claim.DL_ERRORMSG), context_id=data["c"], user_id=data["u"],
        platform_name=get_platform().name)
