"""`/v1/organizations/<org>/authorization_tokens` (list, create, rotate) and `oauth_applications`."""

from __future__ import annotations

from flask import Response, g

from .. import parsing
from .helpers import backend, one, page
from .v1 import ORG, v1

TOKENS = f"{ORG}/authorization_tokens"


@v1.get(TOKENS)
def list_authorization_tokens(organization_id: str) -> Response:
    return page(backend().list_authorization_tokens(g.caller, organization_id))


@v1.post(TOKENS)
def create_authorization_token(organization_id: str) -> tuple[Response, int]:
    fields = parsing.known_fields("create_authorization_token", parsing.read_body("authorization_token"))
    return one(backend().create_authorization_token(g.caller, organization_id, **fields), 201)


@v1.post(f"{TOKENS}/rotate")
def rotate_authorization_token(organization_id: str) -> tuple[Response, int]:
    return one(backend().rotate_authorization_token(g.caller, organization_id))


@v1.get(f"{ORG}/oauth_applications")
def list_oauth_applications(organization_id: str) -> Response:
    return page(backend().list_oauth_applications(g.caller, organization_id))


@v1.get(f"{ORG}/oauth_applications/<application_id>")
def get_oauth_application(organization_id: str, application_id: str) -> tuple[Response, int]:
    return one(backend().get_oauth_application(g.caller, organization_id, application_id))
