"""One exception class per error the mock answers with, rendered in Credly's error envelope.

Every `/v1` error body is `{"data": {"message": ...}}`, with a `metadata` object when there is
something more to say (the shape every Credly client that parses errors reads). The OAuth token
endpoint answers in OAuth 2.0's own shape instead (`OAuthError`). Raise them anywhere below the
routes; `app.py` renders them.
"""

from __future__ import annotations

from typing import Any, ClassVar


class CredlyError(Exception):
    """Base class: an HTTP status, a default message, optional metadata and headers."""

    status: ClassVar[int] = 400
    message: ClassVar[str] = "Bad request."

    def __init__(
        self,
        message: str | None = None,
        *,
        metadata: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.text = message or self.message
        self.metadata = metadata
        self.headers = headers or {}
        super().__init__(self.text)

    def body(self) -> dict[str, Any]:
        """The JSON body Credly would send."""
        body: dict[str, Any] = {"data": {"message": self.text}}
        if self.metadata is not None:
            body["metadata"] = self.metadata
        return body


class BadControlRequest(CredlyError):
    """A control-API (`/_mock/...`) body that does not match its schema."""

    status = 400


class MalformedBody(CredlyError):
    """A `/v1` body that is not JSON (or not a JSON object) and not a form."""

    status = 400


class InvalidToken(CredlyError):
    """A missing, unknown, expired or rotated token (Basic or Bearer)."""

    status = 401
    message = "You specified an invalid authorization token."


class Forbidden(CredlyError):
    status = 403
    message = "You are not authorized to access this organization."


class MissingPermission(CredlyError):
    """An authorization token without the read, write or delete flag the operation needs."""

    status = 403

    def __init__(self, permission: str) -> None:
        super().__init__(f"This authorization token is not {permission}-enabled.")


class CannotRotate(CredlyError):
    status = 403
    message = "Only an authorization token can be rotated; this request carries an OAuth access token."


class InsufficientScope(CredlyError):
    """A Bearer token whose scopes do not cover the operation."""

    status = 403

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"The access token does not have the {scope} scope.",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
        )


class OrganizationNotFound(CredlyError):
    status = 404

    def __init__(self, organization_id: str) -> None:
        super().__init__(f"Organization {organization_id} not found.")


class BadgeTemplateNotFound(CredlyError):
    status = 404

    def __init__(self, template_id: str) -> None:
        super().__init__(f"Badge template {template_id} not found.")


class BadgeNotFound(CredlyError):
    status = 404

    def __init__(self, badge_id: str) -> None:
        super().__init__(f"Badge {badge_id} not found.")


class EventNotFound(CredlyError):
    status = 404

    def __init__(self, event_id: str) -> None:
        super().__init__(f"Event {event_id} not found.")


class EmployeeNotFound(CredlyError):
    status = 404

    def __init__(self, employee_id: str) -> None:
        super().__init__(f"Employee {employee_id} not found.")


class OAuthApplicationNotFound(CredlyError):
    status = 404

    def __init__(self, application_id: str) -> None:
        super().__init__(f"OAuth application {application_id} not found.")


class IssuerNotFound(CredlyError):
    status = 404

    def __init__(self, issuer_id: str) -> None:
        super().__init__(f"Issuer {issuer_id} not found.")


class RouteNotFound(CredlyError):
    status = 404

    def __init__(self, method: str, path: str) -> None:
        super().__init__(f"No route matches {method} {path}.")


class MethodNotAllowed(CredlyError):
    status = 405

    def __init__(self, method: str, path: str, allowed: list[str]) -> None:
        super().__init__(f"{method} is not allowed on {path}.", headers={"Allow": ", ".join(allowed)})


class Conflict(CredlyError):
    """A control-API request that would reuse an id or token that already exists."""

    status = 409


class MissingField(CredlyError):
    status = 422

    def __init__(self, *fields: str) -> None:
        self.fields = fields
        super().__init__(f"Validation failed: {', '.join(fields)} can't be blank.")


class InvalidField(CredlyError):
    status = 422

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        super().__init__(f"Validation failed: {field} {reason}.")


class UnknownBadgeTemplate(CredlyError):
    """`badge_template_id` in an issue request names no template of the organization."""

    status = 422

    def __init__(self, template_id: str) -> None:
        super().__init__(
            f"Validation failed: badge_template_id {template_id} is not a template of this organization."
        )


class TemplateNotIssuable(CredlyError):
    status = 422

    def __init__(self, template_id: str, state: str) -> None:
        super().__init__(
            f"Validation failed: badge template {template_id} is {state} and cannot issue badges."
        )


class DuplicateBadge(CredlyError):
    status = 422
    message = "Validation failed: User already has this badge."


class AlreadyReplaced(CredlyError):
    """Replacing a badge that was replaced already; `metadata.current_badge_id` names the newest."""

    status = 422
    message = "Validation failed: This badge cannot be replaced because it has already been replaced."

    def __init__(self, current_badge_id: str) -> None:
        super().__init__(metadata={"current_badge_id": current_badge_id})


class DuplicateEmployee(CredlyError):
    """An employee whose email the workforce holds already; `metadata.employee_id` names it."""

    status = 422
    message = "Validation failed: Email has already been taken."

    def __init__(self, employee_id: str) -> None:
        super().__init__(metadata={"employee_id": employee_id})


class WebhookUrlRefused(CredlyError):
    status = 422

    def __init__(self, url: str) -> None:
        super().__init__(
            f"Validation failed: webhook_url {url} is not an http(s) URL on a loopback address "
            "(the mock delivers webhooks to 127.0.0.1, ::1 or localhost only)."
        )


class InvalidStateTransition(CredlyError):
    """Revoking a revoked badge, or accepting/rejecting a badge that is not pending."""

    status = 422

    def __init__(self, badge_id: str, state: str, action: str) -> None:
        super().__init__(f"Validation failed: badge {badge_id} is {state} and cannot be {action}.")


class RateLimited(CredlyError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Rate limit exceeded. Retry later.",
            metadata={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


class ScriptedAnswer(CredlyError):
    """An answer scripted with `POST /_mock/script`."""

    def __init__(self, status: int, operation: str, retry_after: int | None) -> None:
        self.status = status  # type: ignore[misc]
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        super().__init__(
            f"Scripted answer {status} for {operation} (set by the mock's control API).", headers=headers
        )


class InjectedFault(CredlyError):
    """A failure injected by the fault settings (`PUT /_mock/faults`)."""

    status = 503
    message = "Service temporarily unavailable (fault injected by the mock)."


class InternalError(CredlyError):
    status = 500
    message = "Internal server error."


class OAuthError(CredlyError):
    """An error of the token endpoint, in OAuth 2.0's shape (RFC 6749 §5.2), not Credly's envelope."""

    error: ClassVar[str] = "invalid_request"

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.text}


class InvalidOAuthRequest(OAuthError):
    status = 400
    error = "invalid_request"


class UnsupportedGrantType(OAuthError):
    status = 400
    error = "unsupported_grant_type"
    message = "Only grant_type=client_credentials is supported."


class InvalidScope(OAuthError):
    status = 400
    error = "invalid_scope"


class InvalidClient(OAuthError):
    status = 401
    error = "invalid_client"
    message = "Client authentication failed: unknown client, or a wrong secret."

    def __init__(self) -> None:
        super().__init__(headers={"WWW-Authenticate": 'Basic realm="oauth"'})
