"""The admin console: server-rendered pages (Flask and Jinja, no JavaScript) on the CLI's services.

``create_app()`` is the WSGI application factory, for ``badgebridge web`` and for a real server::

    gunicorn 'badgebridge.web:create_app()'
    waitress-serve --call badgebridge.web:create_app

It reads ``BADGEBRIDGE_DB`` (the database), ``BADGEBRIDGE_WEB_SECRET`` (signs sessions; required
when several processes serve the console) and ``BADGEBRIDGE_TRUST_PROXY=1`` (behind a TLS-ending
proxy: trust its ``X-Forwarded-*`` headers, so cookies are ``Secure``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from badgebridge.core.plugin_manager import PluginHost, get_host
from badgebridge.core.services.sender import RetryPolicy
from badgebridge.core.storage import Database, open_database
from badgebridge.core.storage.database import APP_NAME
from badgebridge.web import security
from badgebridge.web.console import Console
from badgebridge.web.views import register_views

MAX_UPLOAD_BYTES = 256 * 1024 * 1024


def create_app(
    db_url: str | None = None,
    *,
    database: Database | None = None,
    host: PluginHost | None = None,
    policy: RetryPolicy | None = None,
    secret_key: str | None = None,
    upload_dir: str | Path | None = None,
    trust_proxy: bool | None = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    """The console as a WSGI app. Arguments left out come from the environment (see the module)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or os.environ.get("BADGEBRIDGE_WEB_SECRET") or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        **security.SESSION_SETTINGS,
    )
    app.config.update(config or {})
    plugin_host = host or get_host()
    for error in plugin_host.errors:
        app.logger.warning("plugin not loaded: %s", error)
    app.extensions["badgebridge"] = Console(
        db=database or open_database(db_url or os.environ.get("BADGEBRIDGE_DB")),
        host=plugin_host,
        policy=policy or RetryPolicy(),
        upload_dir=Path(upload_dir or Path(click.get_app_dir(APP_NAME)) / "web-uploads"),
    )
    security.init_app(app)
    register_views(app)
    if trust_proxy if trust_proxy is not None else os.environ.get("BADGEBRIDGE_TRUST_PROXY") == "1":
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app
