"""The console's security rules, applied to every request in one place.

- Nobody but a logged-in user gets past the login page (``gate``); a viewer's every change
  (any method but GET, HEAD, OPTIONS) is refused with 403, only logging out is allowed.
- A session is checked against the database on every request (the user's session key,
  ``users.session_holder``): after logging out, a password change or the user's removal, the
  cookie, and every copy of it, leads to the login page.
- Every form carries a CSRF token (Flask-WTF's ``CSRFProtect``); a POST without it gets 400.
- The session cookie is ``HttpOnly`` and ``SameSite=Lax``, and ``Secure`` whenever the request came
  over TLS (directly, or through a trusted proxy); sessions last ``SESSION_HOURS``.
- Every answer carries a strict CSP (no scripts at all, no framing), ``X-Frame-Options: DENY``,
  ``nosniff``, a same-origin referrer policy, ``no-store`` caching, and HSTS over TLS.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

from badgebridge.core.errors import BadgeBridgeError, NotFound
from badgebridge.core.services import users as user_service
from badgebridge.web.console import console

SESSION_HOURS = 8
SESSION_SETTINGS = {
    "SESSION_COOKIE_NAME": "badgebridge_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # True forces it; otherwise it follows the request's scheme
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=SESSION_HOURS),
    "WTF_CSRF_TIME_LIMIT": SESSION_HOURS * 3600,
}
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})
VIEWER_MAY_POST = frozenset({"auth.logout"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)

csrf = CSRFProtect()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked ``Secure`` whenever the request came over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    app.before_request(gate)
    app.after_request(add_headers)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(BadgeBridgeError, _refused)
    app.register_error_handler(403, _forbidden)
    app.register_error_handler(404, _missing)
    app.register_error_handler(413, _too_large)


def gate():
    """Load the logged-in user into ``g.user``; send everyone else to the login page."""
    g.user = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user_id = session.get("user_id")
    if user_id is not None:
        g.user = user_service.session_holder(console().db, user_id, session.get("session_key"))
        if g.user is None:  # logged out elsewhere, a new password, or removed since
            session.clear()
    if g.user is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if (
        request.method not in SAFE_METHODS
        and not g.user.can_change
        and request.endpoint not in VIEWER_MAY_POST
    ):
        return render_template(
            "error.html", title="Not allowed", message="A viewer cannot change anything."
        ), 403
    return None


def add_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _csrf_refused(exc: CSRFError):
    message = f"The form was refused ({exc.description}). Reload the page and try again."
    return render_template("error.html", title="Form refused", message=message), 400


def _not_found(exc: NotFound):
    return render_template("error.html", title="Not found", message=str(exc)), 404


def _refused(exc: BadgeBridgeError):
    return render_template("error.html", title="Refused", message=str(exc)), 400


def _forbidden(_exc):
    return render_template("error.html", title="Not allowed", message="You may not do this."), 403


def _missing(_exc):
    return render_template("error.html", title="Not found", message="There is no such page."), 404


def _too_large(_exc):
    return render_template("error.html", title="Too large", message="The upload is too large."), 413
