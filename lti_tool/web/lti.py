"""LTI endpoints: OIDC login, launch, JWKS, registration, setup and Canvas configuration."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from pylti1p3.contrib.flask import FlaskRequest

from ..errors import RegistrationError
from ..extensions import db
from ..lti.context import lti
from ..lti.launch import BrowserNotBound, NeedsPlatformStorage, ToolMessageLaunch
from ..lti.login import STATE_COOKIE_PREFIX, ToolOIDCLogin
from ..lti.registration import CUSTOM_PARAMETERS, ToolUrls, fetch_configuration, register
from ..lti.vocab import TOOL_SCOPES, MessageType, RegistrationMessage
from ..services.identity import sync_launch
from ..services.launches import start_session
from ..services.platforms import add_deployment_at_admin_launch, save_dynamic_registration
from .limits import limit_registration
from .security import allow_framing_by, origin, request_frame_origin
from .urls import tool_url

bp = Blueprint("lti", __name__)
# The login's state cookie: only /lti/launch reads it; Partitioned, so it survives in an iframe.
# Deleting it needs the same path and attributes (a partitioned cookie is deleted in its own
# partition only by a Set-Cookie that is Partitioned too).
STATE_COOKIE = {
    "path": "/lti/",
    "secure": True,
    "httponly": True,
    "samesite": "None",
    "partitioned": True,
}


def tool_urls() -> ToolUrls:
    config = current_app.config
    return ToolUrls(
        name=config["TOOL_NAME"],
        description=config["TOOL_DESCRIPTION"],
        login=tool_url("lti.login"),
        launch=tool_url("lti.launch"),
        jwks=tool_url("lti.jwks"),
        logo=tool_url("static", filename="logo.svg"),
    )


@bp.route("/lti/login", methods=["GET", "POST"])
def login():
    oidc = ToolOIDCLogin(
        FlaskRequest(), lti(), state_ttl=current_app.config["LOGIN_STATE_TTL_SECONDS"]
    )
    framer = request_frame_origin()
    outcome = oidc.begin(tool_url("lti.launch"), frame_origin=framer)
    if oidc.platform is not None:
        # The storage page is shown in the LMS page that sent the login (web/security.py).
        allow_framing_by([oidc.platform.issuer, oidc.platform.auth_login_url, framer])
    db.session.commit()  # after reading the platform: a commit expires it (one more query)
    if outcome.storage_target:
        response = current_app.make_response(
            render_template("lti/login_storage.html", outcome=outcome)
        )
    else:
        response = redirect(outcome.auth_url, code=302)
    response.set_cookie(
        STATE_COOKIE_PREFIX + outcome.state,
        outcome.browser_secret,
        max_age=outcome.ttl_seconds,
        **STATE_COOKIE,
    )
    return response


@bp.post("/lti/launch")
def launch():
    message = ToolMessageLaunch(
        FlaskRequest(),
        lti(),
        launch_url=tool_url("lti.launch"),
        leeway=current_app.config["ID_TOKEN_LEEWAY_SECONDS"],
        new_deployment=add_deployment_at_admin_launch,
    )
    verified = False
    try:
        validated = message.validate()
        verified = True
    except NeedsPlatformStorage as pending:
        db.session.rollback()
        return render_template(
            "lti/launch_storage.html",
            state=pending.login_state,
            id_token=request.form.get("id_token", ""),
            platform_origin=origin(message.platform.auth_login_url) if message.platform else "",
        )
    except BrowserNotBound as blocked:
        db.session.rollback()
        params = {**blocked.login_state.login_params, "lti1p3_new_window": "1"}
        relaunch = tool_url("lti.login") + "?" + urlencode(params)
        current_app.logger.info("launch without state cookie: offering a new window")
        return render_template("lti/new_window.html", relaunch_url=relaunch), 401
    finally:
        # Error pages of a known platform must still render inside its frame; before the
        # launch is verified, that frame may be the page that sent the login.
        if message.platform is not None:
            allow_framing_by([message.platform.issuer, message.platform.auth_login_url])
            if not verified:
                allow_framing_by([message.login_frame_origin])
    limit_registration(validated.platform.id)
    identity = sync_launch(validated)
    token, _row = start_session(validated, identity, current_app.config["LAUNCH_TTL_SECONDS"])
    _commit_keeping_loaded()
    if validated.message_type == MessageType.DEEP_LINKING:
        response = redirect(url_for("pages.deep_link", launch=token), code=303)
    else:
        response = _first_page(token)
    # The state is spent (its row is gone): the browser need not keep its secret for 10 minutes.
    response.delete_cookie(STATE_COOKIE_PREFIX + request.values.get("state", ""), **STATE_COOKIE)
    return response


def _commit_keeping_loaded() -> None:
    """Commit the launch; the first page then reads the platform, course, person and launch
    just written from the session, without loading them again."""
    session = db.session()
    kept, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = kept


def _first_page(token: str) -> Response:
    """The launching person's first page as the launch's own answer: inside the LMS's frame,
    one round trip fewer than a redirect. The page gives itself its address (/home?launch=…)
    from the browser, so a reload asks for the page, not for the spent launch again."""
    g.launched_token = token
    g.page_url = url_for("pages.home", launch=token)
    response = current_app.make_response(current_app.view_functions["pages.home"]())
    if response.status_code == 200:
        response.headers["Content-Location"] = g.page_url
    return response


@bp.get("/.well-known/jwks.json")
def jwks():
    response = jsonify(lti().key_ring.jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/lti/register")
def register_tool():
    """LTI Dynamic Registration: the platform opens this with its configuration URL."""
    config_url = request.args.get("openid_configuration")
    if not config_url:
        return render_template("lti/register_help.html", urls=tool_urls())
    # The platform frames this page before it is registered: the fallback list of registered
    # platforms cannot name it yet. Registration needs no click, so framing adds no risk.
    allow_framing_by([config_url])
    ctx = lti()
    configuration = fetch_configuration(ctx.outbound, config_url)
    allow_framing_by([configuration.issuer, configuration.authorization_endpoint])
    result = register(
        ctx.outbound, configuration, request.args.get("registration_token"), tool_urls()
    )
    platform = save_dynamic_registration(result)
    db.session.commit()
    current_app.logger.info("registered platform %s (%s) dynamically", platform.id, platform.issuer)
    return render_template(
        "lti/registered.html",
        platform=platform,
        deployment_id=result.deployment_id,
        close_message={"subject": RegistrationMessage.CLOSE.value},
    )


@bp.get("/")
def root():
    """The tool opens from an LMS; its address alone leads to how to register it there."""
    return redirect(url_for("lti.setup"), code=302)


@bp.get("/lti/setup")
def setup():
    return render_template(
        "lti/setup.html",
        urls=tool_urls(),
        register_url=tool_url("lti.register_tool"),
        canvas_url=tool_url("lti.canvas_config"),
    )


@bp.get("/lti/canvas.json")
def canvas_config():
    """A Canvas developer key JSON configuration (LTI 1.3 key, 'Paste JSON')."""
    urls = tool_urls()
    domain = urlsplit(urls.launch).hostname
    placement = {"target_link_uri": urls.launch, "text": urls.name, "icon_url": urls.logo}
    return jsonify(
        {
            "title": urls.name,
            "description": urls.description,
            "oidc_initiation_url": urls.login,
            "target_link_uri": urls.launch,
            "public_jwk_url": urls.jwks,
            "scopes": list(TOOL_SCOPES),
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "privacy_level": "public",
                    "domain": domain,
                    "tool_id": "mastery-tracker",
                    "settings": {
                        "text": urls.name,
                        "icon_url": urls.logo,
                        "placements": [
                            {
                                **placement,
                                "placement": "course_navigation",
                                "message_type": MessageType.RESOURCE_LINK.value,
                                "default": "enabled",
                            },
                            {
                                **placement,
                                "placement": "link_selection",
                                "message_type": MessageType.DEEP_LINKING.value,
                            },
                            {
                                **placement,
                                "placement": "assignment_selection",
                                "message_type": MessageType.DEEP_LINKING.value,
                            },
                        ],
                    },
                }
            ],
            "custom_fields": dict(CUSTOM_PARAMETERS),
        }
    )


@bp.errorhandler(RegistrationError)
def _registration_failed(error: RegistrationError):
    current_app.logger.warning("dynamic registration failed: %s", error.detail)
    return render_template("lti/register_failed.html", error=error), error.status
