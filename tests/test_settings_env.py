"""Deployment settings from the environment: log format, the prefixed flags, connect timeout."""

from __future__ import annotations

from lti_tool import create_app


def test_environment_sets_log_format_and_both_prefixed_flags(monkeypatch, base_config):
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("LTI_TOOL_ALLOW_INSECURE_HTTP", "1")
    monkeypatch.setenv("LTI_TOOL_ALLOW_PRIVATE_NETWORK", "0")
    config = {k: v for k, v in base_config.items() if "ALLOW" not in k}
    app = create_app(config)
    assert app.config["LOG_FORMAT"] == "json"
    assert app.config["LTI_TOOL_ALLOW_INSECURE_HTTP"] is True
    assert app.config["LTI_TOOL_ALLOW_PRIVATE_NETWORK"] is False


def test_postgresql_connections_time_out(base_config):
    url = "postgresql://mastery@db.internal/mastery"
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": url})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"connect_timeout": 5}
    assert options["pool_pre_ping"] and options["hide_parameters"]
