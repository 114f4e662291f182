"""Every endpoint the mock serves: its answer's shape and schemas, and how sure the mock is of it.

The README's endpoint table and the schema test are checked against this table, and this table
against the app's URL map, so an endpoint cannot be added without a schema, a test and a row.
"""

from __future__ import annotations

from dataclasses import dataclass

# How the mock knows the endpoint's behaviour (the README's "basis" column).
DOCUMENTED = "documented"  # in Credly's own documentation
CLIENTS = "clients"  # seen in real client code; shapes partly inferred
UNVERIFIED = "unverified"  # paths from clients, shapes chosen by the mock
MOCK = "mock only"  # the mock's own (control API, test helpers)


@dataclass(frozen=True)
class Endpoint:
    """`shape`: `one` (`{"data": X, "metadata": {}}`), `page` (`{"data": [X], "metadata": pagination}`),
    `bare` (X itself), `empty` (no body), `html`, `png`, or `error` (the mock can only refuse: the
    error envelope with `status`); `response` names X's schema."""

    status: int
    shape: str
    response: str | None
    request: str | None
    basis: str


ENDPOINTS: dict[str, Endpoint] = {
    "v1.list_organizations": Endpoint(200, "page", "organization", None, DOCUMENTED),
    "v1.get_organization": Endpoint(200, "one", "organization", None, DOCUMENTED),
    "v1.update_organization": Endpoint(200, "one", "organization", "update_organization", DOCUMENTED),
    "v1.list_badge_templates": Endpoint(200, "page", "badge_template", None, DOCUMENTED),
    "v1.get_badge_template": Endpoint(200, "one", "badge_template", None, DOCUMENTED),
    "v1.create_badge_template": Endpoint(201, "one", "badge_template", "badge_template_request", UNVERIFIED),
    "v1.update_badge_template": Endpoint(200, "one", "badge_template", "badge_template_request", UNVERIFIED),
    "v1.archive_badge_template": Endpoint(200, "one", "badge_template", None, UNVERIFIED),
    "v1.delete_badge_template": Endpoint(200, "one", "badge_template", None, UNVERIFIED),
    "v1.issue_badge": Endpoint(201, "one", "badge", "issue_badge", DOCUMENTED),
    "v1.issue_badges": Endpoint(201, "bare", "batch_result", "issue_badges", UNVERIFIED),
    "v1.list_badges": Endpoint(200, "page", "badge", None, CLIENTS),
    "v1.get_badge": Endpoint(200, "one", "badge", None, CLIENTS),
    "v1.revoke_badge": Endpoint(200, "one", "badge", "revoke_badge", CLIENTS),
    "v1.replace_badge": Endpoint(201, "one", "badge", "replace_badge", CLIENTS),
    "v1.delete_badge": Endpoint(200, "one", "badge", None, CLIENTS),
    "v1.high_volume_issued_badge_search": Endpoint(200, "page", "badge_minimal|badge", None, CLIENTS),
    "v1.list_events": Endpoint(200, "page", "event", None, CLIENTS),
    "v1.get_event": Endpoint(200, "one", "event", None, CLIENTS),
    "v1.list_authorization_tokens": Endpoint(200, "page", "authorization_token", None, DOCUMENTED),
    "v1.create_authorization_token": Endpoint(
        201, "one", "authorization_token", "create_authorization_token", DOCUMENTED
    ),
    "v1.rotate_authorization_token": Endpoint(200, "one", "authorization_token", None, CLIENTS),
    "v1.list_oauth_applications": Endpoint(200, "page", "oauth_application", None, DOCUMENTED),
    "v1.get_oauth_application": Endpoint(200, "one", "oauth_application", None, DOCUMENTED),
    "v1.list_employees": Endpoint(200, "page", "employee", None, UNVERIFIED),
    "v1.create_employee": Endpoint(201, "one", "employee", "employee_request", UNVERIFIED),
    "v1.get_employee": Endpoint(200, "one", "employee", None, UNVERIFIED),
    "v1.update_employee": Endpoint(200, "one", "employee", "employee_request", UNVERIFIED),
    "v1.delete_employee": Endpoint(200, "one", "employee", None, UNVERIFIED),
    "v1.get_employee_data": Endpoint(200, "one", "employee_data", None, UNVERIFIED),
    "v1.invite_employees": Endpoint(200, "one", "invitations", "invite_employees", UNVERIFIED),
    "v1.list_issuers": Endpoint(200, "page", "organization", None, UNVERIFIED),
    "v1.list_grantors": Endpoint(200, "page", "organization", None, UNVERIFIED),
    "v1.list_issuer_authorizations": Endpoint(200, "page", "organization", None, UNVERIFIED),
    "v1.deauthorize_issuer": Endpoint(404, "error", None, None, UNVERIFIED),
    "oauth.oauth_token": Endpoint(200, "bare", "oauth_token", "oauth_token_request", DOCUMENTED),
    "obi.obi_badge_assertion": Endpoint(200, "bare", "obi_assertion", None, CLIENTS),
    "obi.obi_badge_class": Endpoint(200, "bare", "obi_badge_class", None, CLIENTS),
    "obi.obi_issuer": Endpoint(200, "bare", "obi_issuer", None, CLIENTS),
    "control.reset": Endpoint(204, "empty", None, None, MOCK),
    "control.create_organization": Endpoint(
        201, "bare", "control_organization_created", "control_organization", MOCK
    ),
    "control.create_badge_template": Endpoint(201, "bare", "badge_template", "control_badge_template", MOCK),
    "control.edit_badge_template": Endpoint(
        200, "bare", "badge_template", "control_badge_template_update", MOCK
    ),
    "control.remove_badge_template": Endpoint(200, "bare", "badge_template", None, MOCK),
    "control.create_oauth_application": Endpoint(
        201, "bare", "control_oauth_application_created", "control_oauth_application", MOCK
    ),
    "control.state": Endpoint(200, "bare", "control_state", None, MOCK),
    "control.accept_badge": Endpoint(200, "bare", "badge", None, MOCK),
    "control.reject_badge": Endpoint(200, "bare", "badge", None, MOCK),
    "control.get_faults": Endpoint(200, "bare", "control_faults_answer", None, MOCK),
    "control.set_faults": Endpoint(200, "bare", "control_faults_answer", "control_faults", MOCK),
    "control.list_requests": Endpoint(200, "bare", "control_request_log", None, MOCK),
    "control.clear_requests": Endpoint(204, "empty", None, None, MOCK),
    "control.add_script": Endpoint(201, "bare", "control_script_entry", "control_script", MOCK),
    "control.list_script": Endpoint(200, "bare", "control_script_list", None, MOCK),
    "control.get_webhooks": Endpoint(200, "bare", "control_webhooks_answer", None, MOCK),
    "control.set_webhooks": Endpoint(200, "bare", "control_webhook_settings", "control_webhooks", MOCK),
    "control.get_clock": Endpoint(200, "bare", "control_clock_answer", None, MOCK),
    "control.advance_clock": Endpoint(200, "bare", "control_clock_answer", "control_clock", MOCK),
    "control.get_settings": Endpoint(200, "bare", "control_settings_answer", None, MOCK),
    "control.set_settings": Endpoint(200, "bare", "control_settings_answer", "control_settings", MOCK),
    "control.badge_image": Endpoint(200, "png", None, None, MOCK),
    "pages.earner_page": Endpoint(200, "html", None, None, MOCK),
    "pages.earner_answer": Endpoint(303, "html", None, None, MOCK),
    "pages.badge_page": Endpoint(200, "html", None, None, CLIENTS),
}
