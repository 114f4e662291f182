"""One exception class per error the mock answers with, rendered in Credly's error envelope.

Every error body is `{"data": {"message": ...}}`, with a `metadata` object when there is something more
to say (credly-api.md §6). Raise them anywhere below the routes; `app.py` renders them.
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


class InvalidToken(CredlyError):
    status = 401
    message = "You specified an invalid authorization token."


class Forbidden(CredlyError):
    status = 403
    message = "You are not authorized to access this organization."


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


class RouteNotFound(CredlyError):
    status = 404

    def __init__(self, method: str, path: str) -> None:
        super().__init__(f"No route matches {method} {path}.")


class MethodNotAllowed(CredlyError):
    status = 405

    def __init__(self, method: str, path: str) -> None:
        super().__init__(f"{method} is not allowed on {path}.")


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


class InjectedFault(CredlyError):
    """A failure injected by the fault settings (`PUT /_mock/faults`)."""

    status = 503
    message = "Service temporarily unavailable (fault injected by the mock)."


class InternalError(CredlyError):
    status = 500
    message = "Internal server error."
