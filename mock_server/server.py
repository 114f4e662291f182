"""`MockServer`: the mock app on a real socket, in a background thread or in the foreground."""

from __future__ import annotations

import io
import threading
from types import TracebackType
from typing import Any

from flask import Flask, got_request_exception
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app
from .backend import CredlyBackend
from .clock import Clock
from .context import get_context

# How often the serving loop looks for a stop request: `stop()` takes at most this long.
POLL_INTERVAL = 0.05


class _ClientGone(Exception):
    """The client closed its connection before it sent the whole request body (a killed sender)."""


class _KeepAliveHandler(WSGIRequestHandler):
    """HTTP/1.1 with keep-alive, so clients' connection pools are used as they would be on Credly.

    Werkzeug's handler always answers `Connection: close`, and after each answer it discards whatever
    the client sent next (an unread body, it assumes), which on a kept-alive connection would be the
    next request. So this handler reads each request body whole before the app runs, and hands
    werkzeug's discarding loop an empty stream while the app runs: the connection stays usable and
    stays open (unless the client asks to close it). An idle connection is closed after `timeout`
    seconds, so parked connections hold no thread. A request whose body stops short (its client
    died mid-request) is dropped with the connection, unanswered, as a real server would.

    Answers go out without Nagle's delay (`TCP_NODELAY`): werkzeug writes the headers and the body
    apart, and a kept-alive client would otherwise wait out its delayed ACK (~40 ms) on every answer.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 30

    def make_environ(self) -> Any:
        environ = super().make_environ()
        stream = environ["wsgi.input"]
        if environ.get("wsgi.input_terminated"):
            body = stream.read()
        else:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = stream.read(length) if length > 0 else b""
            if len(body) < length:
                raise _ClientGone()
        environ["wsgi.input"] = io.BytesIO(body)
        self.rfile = io.BytesIO()  # what werkzeug's discarding loop reads; run_wsgi restores it
        return environ

    def run_wsgi(self) -> None:
        connection_stream = self.rfile
        try:
            super().run_wsgi()
        except _ClientGone:
            self.close_connection = True
        finally:
            self.rfile = connection_stream

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close":
            return
        super().send_header(keyword, value)

    def log_error(self, format: str, *args: Any) -> None:
        if format.startswith("Request timed out"):  # an idle kept-alive connection ends so: no error
            return
        super().log_error(format, *args)


class _QuietHandler(_KeepAliveHandler):
    """The keep-alive handler without the line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class MockServer:
    """The mock Credly API served by werkzeug's threaded server.

    The socket is bound when the object is built, so `url` (with the real port when `port=0`) is known
    at once; `start()` serves it from a daemon thread, `serve_forever()` from the calling thread.
    Usable as a context manager (start on enter, stop on exit). It binds 127.0.0.1 unless told
    otherwise, speaks HTTP/1.1 with keep-alive, and logs nothing per request unless `log_requests`
    (werkzeug's access lines). `clock` and `strict` are passed to `create_app`.

    An exception that escapes a handler is answered with a 500 and kept; `check()` re-raises it in
    the test.
    """

    def __init__(
        self,
        app: Flask | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: dict[str, Any] | None = None,
        log_requests: bool = False,
        clock: Clock | None = None,
        strict: bool = False,
    ) -> None:
        if app is not None and (seed is not None or clock is not None or strict):
            raise ValueError("give either an app or the settings to build one, not both")
        self.app = app if app is not None else create_app(seed, clock=clock, strict=strict)
        handler = _KeepAliveHandler if log_requests else _QuietHandler
        self._server: BaseWSGIServer = make_server(
            host, port, self.app, threaded=True, request_handler=handler
        )
        self._thread: threading.Thread | None = None
        self._serving = False
        self._closed = False
        self._errors: list[BaseException] = []
        self._errors_lock = threading.Lock()
        got_request_exception.connect(self._keep_error, self.app)

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        """The base URL, e.g. `http://127.0.0.1:54321` (the API is at `url + "/v1"`)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def backend(self) -> CredlyBackend:
        """The in-memory state, for callers in the same process."""
        return get_context(self.app).backend

    def seeded_organizations(self) -> list[dict[str, str]]:
        """`{"id", "name", "token"}` of each seeded organization, e.g. for a start-up banner."""
        return self.backend.seeded_organizations()

    def start(self) -> MockServer:
        """Serve from a daemon thread; returns self."""
        self._begin_serving()
        self._thread = threading.Thread(target=self._serve, name="credly-mock", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve from the calling thread until Ctrl-C or `stop()`; then close the socket and return."""
        self._begin_serving()
        self._serve()

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=POLL_INTERVAL)

    def stop(self) -> None:
        """Stop serving and close the socket. Safe to call twice, or without serving first."""
        if self._serving:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._server.server_close()
        get_context(self.app).webhooks.close()
        self._closed = True

    def _begin_serving(self) -> None:
        if self._serving or self._closed:
            raise RuntimeError("the mock server is already serving, or stopped")
        self._serving = True

    def check(self) -> None:
        """Re-raise the first exception a handler raised since the last check, then forget them."""
        with self._errors_lock:
            errors, self._errors = self._errors, []
        if errors:
            raise errors[0]

    def _keep_error(self, sender: Flask, exception: BaseException, **extra: Any) -> None:
        with self._errors_lock:
            self._errors.append(exception)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
