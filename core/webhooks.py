"""The webhook receiver: ``POST /events/<connection name>`` as a WSGI app.

It stores each delivery (``badgebridge.core.services.events.receive``) and answers 200 at once; it
never acts on a body. Processing happens from the stored queue, in a thread of this process
(``process=True``, the default) or in ``badgebridge events process`` anywhere else.

``badgebridge events serve`` runs it on werkzeug's threaded server. Behind a production server,
the factory is the entry point (the database comes from ``BADGEBRIDGE_DB``)::

    gunicorn --workers 2 'badgebridge.core.webhooks:create_app()'
    waitress-serve --call badgebridge.core.webhooks:create_app

Each gunicorn worker then runs its own processor thread; they share the queue safely (claims under
a lease). Do not use ``--preload`` with ``process=True`` (the thread would not survive the fork).
"""

from __future__ import annotations

import os
import threading

from flask import Flask, jsonify

from badgebridge.core.errors import NotFound
from badgebridge.core.plugin_manager import PluginHost, get_host
from badgebridge.core.services import events as event_service
from badgebridge.core.storage import Database, open_database

ROUTE = "/events/<path:connection>"


def create_app(
    db: Database | str | None = None,
    *,
    host: PluginHost | None = None,
    process: bool = True,
    poll_seconds: float = 1.0,
) -> Flask:
    """The receiver app for a database (a ``Database``, a URL, or ``BADGEBRIDGE_DB``/the default).

    :param process: start a daemon thread that processes deliveries as they arrive (and every
        ``poll_seconds``, for retries); ``app.extensions["badgebridge_events"]`` holds its
        ``stop`` event.
    """
    database = db if isinstance(db, Database) else open_database(db or os.environ.get("BADGEBRIDGE_DB"))
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = event_service.MAX_BODY_BYTES
    wake, stop = threading.Event(), threading.Event()

    @app.post(ROUTE)
    def receive(connection: str):
        from flask import request

        try:
            row_id = event_service.receive(database, connection, request.get_data(cache=False))
        except NotFound as exc:
            return jsonify({"error": str(exc)}), 404
        wake.set()
        return jsonify({"received": row_id}), 200

    app.extensions["badgebridge_events"] = {"stop": stop, "wake": wake, "db": database}
    if process:
        processor = event_service.EventProcessor(database, host or get_host())
        threading.Thread(
            target=processor.run,
            args=(stop, wake, poll_seconds),
            name="badgebridge-events",
            daemon=True,
        ).start()
    return app
