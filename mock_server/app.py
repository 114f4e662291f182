"""The Flask app factory of the mock Credly API."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.exceptions import MethodNotAllowed as HTTPMethodNotAllowed
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from .backend import CredlyBackend
from .clock import Clock, SystemClock
from .context import EXTENSION, MockContext, get_context
from .exceptions import CredlyError, InternalError, MethodNotAllowed, RouteNotFound
from .faults import Faults
from .request_log import RequestLog
from .routes import API_BLUEPRINTS, BLUEPRINTS
from .script import Script
from .seed import DEFAULT_SEED, validate_seed
from .webhooks import WebhookDispatcher

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def create_app(
    seed: dict[str, Any] | None = None,
    *,
    log_requests: bool = False,
    clock: Clock | None = None,
    strict: bool = False,
) -> Flask:
    """A mock Credly API holding `seed` (the seed-file format of `seed.py`; None: the default seed).

    `POST /_mock/reset` brings back this seed. `clock` (a `SystemClock` unless given; `ManualClock`
    in tests) drives every timestamp, token expiry, the rate limit and the latency. `strict` refuses
    issue requests without the earner's first and last names, as Credly's docs say; by default they
    are accepted (older clients send none). With `log_requests`, the app logs one line per request
    (`METHOD /path -> status`) at INFO on its logger, `badgebridge.mock_server.app`. Raises ValueError
    for an invalid seed.
    """
    clock = clock or SystemClock()
    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.strict_slashes = False
    app.wsgi_app = _normalized_paths(ProxyFix(app.wsgi_app, x_proto=1, x_host=1))  # type: ignore[method-assign]
    app.extensions[EXTENSION] = MockContext(
        backend=CredlyBackend(validate_seed(DEFAULT_SEED if seed is None else seed), clock),
        faults=Faults(clock),
        script=Script(),
        requests=RequestLog(),
        webhooks=WebhookDispatcher(clock),
        clock=clock,
        defaults={"strict": strict},
    )
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_error_handler(CredlyError, _render_error)
    app.register_error_handler(HTTPException, _render_http_error)
    app.after_request(_log_api_request)
    if log_requests:
        app.logger.setLevel(logging.INFO)
        app.after_request(_log_request)
    return app


def _normalized_paths(wsgi_app: WSGIApp) -> WSGIApp:
    """Merge repeated slashes (`/v1//organizations`) and serve `/api/v1/...` as `/v1/...`."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = re.sub("/{2,}", "/", environ.get("PATH_INFO", ""))
        if path == "/api/v1" or path.startswith("/api/v1/"):
            path = path.removeprefix("/api")
        environ["PATH_INFO"] = path
        return wsgi_app(environ, start_response)

    return middleware


def _render_error(error: CredlyError) -> tuple[Response, int, dict[str, str]]:
    return jsonify(error.body()), error.status, error.headers


def _render_http_error(error: HTTPException) -> tuple[Response, int, dict[str, str]]:
    """Werkzeug's own errors (no route, wrong method, a crash) in Credly's envelope."""
    if isinstance(error, HTTPNotFound):
        return _render_error(RouteNotFound(request.method, request.path))
    if isinstance(error, HTTPMethodNotAllowed):
        return _render_error(
            MethodNotAllowed(request.method, request.path, sorted(error.valid_methods or ()))
        )
    if isinstance(error, InternalServerError):
        return _render_error(InternalError())
    return jsonify({"data": {"message": error.description}}), error.code or 500, {}


def _log_api_request(response: Response) -> Response:
    """Every request but the control API's and the pages' goes to `GET /_mock/requests`."""
    if request.blueprint in API_BLUEPRINTS or (
        request.blueprint is None and not request.path.startswith("/_mock")
    ):
        operation = (request.endpoint or "").partition(".")[2] or None
        get_context().requests.record(request, operation, response.status_code)
    return response


def _log_request(response: Response) -> Response:
    current_app.logger.info(
        "%s %s -> %d", request.method, request.full_path.rstrip("?"), response.status_code
    )
    return response
