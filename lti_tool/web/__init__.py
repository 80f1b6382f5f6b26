"""Blueprints, one module per area."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import (
        access,
        admin,
        admin_scales,
        alignments,
        cells,
        console_session,
        course_copy,
        cut_scores,
        exemptions,
        exports,
        gradebook,
        health,
        imports,
        install,
        limits,
        lms_imports,
        lti,
        overrides,
        pages,
        periods,
        profile,
        publish,  # noqa: F401 (adds its routes to scoring.bp)
        scale_editor,
        scoring,
        security,
        settings,
        share,
        standards,
        sync,
        zones,
    )

    app.register_blueprint(health.bp)
    app.register_blueprint(lti.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(gradebook.bp)
    app.register_blueprint(cells.bp)
    app.register_blueprint(exemptions.bp)
    app.register_blueprint(profile.bp)
    app.register_blueprint(sync.bp)
    app.register_blueprint(course_copy.bp)
    app.register_blueprint(lms_imports.bp)
    app.register_blueprint(scoring.bp)  # with publish's routes
    app.register_blueprint(settings.bp)
    app.register_blueprint(overrides.bp)
    app.register_blueprint(scale_editor.bp)
    app.register_blueprint(periods.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_scales.bp)
    app.register_blueprint(alignments.bp)
    app.register_blueprint(cut_scores.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(standards.bp)
    app.register_blueprint(share.bp)
    app.register_blueprint(install.bp)
    app.add_template_global(console_session.csrf_field)
    access.init_app(app)
    security.init_app(app)
    limits.init_app(app)
    zones.init_app(app)
