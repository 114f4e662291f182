"""The console's pages, one blueprint per area; each view parses the form, calls a service, renders."""

from __future__ import annotations

from flask import Flask

from badgebridge.web.views import (
    auth,
    awards,
    catalog,
    connections,
    dashboard,
    learners,
    learning_objects,
    migrate,
    skills,
)

BLUEPRINTS = (
    auth.blueprint,
    dashboard.blueprint,
    connections.blueprint,
    catalog.blueprint,
    skills.blueprint,
    learning_objects.blueprint,
    learners.blueprint,
    awards.blueprint,
    migrate.blueprint,
)


def register_views(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
